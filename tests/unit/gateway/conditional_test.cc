#include "daemon/gateway/conditional.h"

#include "gtest/gtest.h"

namespace drive::gateway {
namespace {

const absl::Time kModified = absl::FromUnixSeconds(1767225600);  // 2026-01-01
const absl::Time kNow = kModified + absl::Hours(24);
const Validators kCurrent{"\"abc\"", kModified + absl::Milliseconds(750)};

TEST(ConditionalTest, NoHeadersProceed) {
  EXPECT_EQ(EvaluatePreconditions({}, &kCurrent, true, kNow),
            Precondition::kProceed);
}

TEST(ConditionalTest, MatchingIfNoneMatchIsNotModified) {
  Conditions c;
  c.if_none_match = "\"xyz\", W/\"abc\"";
  EXPECT_EQ(EvaluatePreconditions(c, &kCurrent, true, kNow),
            Precondition::kNotModified);
  c.if_none_match = "*";
  EXPECT_EQ(EvaluatePreconditions(c, &kCurrent, true, kNow),
            Precondition::kNotModified);
}

TEST(ConditionalTest, OtherEtagProceeds) {
  Conditions c;
  c.if_none_match = "\"xyz\"";
  EXPECT_EQ(EvaluatePreconditions(c, &kCurrent, true, kNow),
            Precondition::kProceed);
}

TEST(ConditionalTest, IfNoneMatchOnWriteFails) {
  Conditions c;
  c.if_none_match = "*";
  EXPECT_EQ(EvaluatePreconditions(c, &kCurrent, false, kNow),
            Precondition::kPreconditionFailed);
  // Create-only succeeds while the file does not exist.
  EXPECT_EQ(EvaluatePreconditions(c, nullptr, false, kNow),
            Precondition::kProceed);
}

TEST(ConditionalTest, IfModifiedSinceComparesWholeSeconds) {
  Conditions c;
  c.if_modified_since = FormatHttpDate(kModified);
  EXPECT_EQ(EvaluatePreconditions(c, &kCurrent, true, kNow),
            Precondition::kNotModified);
  c.if_modified_since = FormatHttpDate(kModified - absl::Seconds(1));
  EXPECT_EQ(EvaluatePreconditions(c, &kCurrent, true, kNow),
            Precondition::kProceed);
}

TEST(ConditionalTest, IfNoneMatchTakesPrecedenceOverIfModifiedSince) {
  Conditions c;
  c.if_none_match = "\"other\"";
  c.if_modified_since = FormatHttpDate(kNow);
  EXPECT_EQ(EvaluatePreconditions(c, &kCurrent, true, kNow),
            Precondition::kProceed);
}

TEST(ConditionalTest, BadOrFutureDatesAreIgnored) {
  Conditions c;
  c.if_modified_since = "yesterday";
  EXPECT_EQ(EvaluatePreconditions(c, &kCurrent, true, kNow),
            Precondition::kProceed);
  c.if_modified_since = FormatHttpDate(kNow + absl::Hours(1));
  EXPECT_EQ(EvaluatePreconditions(c, &kCurrent, true, kNow),
            Precondition::kProceed);
}

TEST(ConditionalTest, IfMatchNeedsAStrongMatch) {
  Conditions c;
  c.if_match = "\"abc\"";
  EXPECT_EQ(EvaluatePreconditions(c, &kCurrent, false, kNow),
            Precondition::kProceed);
  c.if_match = "W/\"abc\"";
  EXPECT_EQ(EvaluatePreconditions(c, &kCurrent, false, kNow),
            Precondition::kPreconditionFailed);
  c.if_match = "*";
  EXPECT_EQ(EvaluatePreconditions(c, nullptr, false, kNow),
            Precondition::kPreconditionFailed);
}

TEST(ConditionalTest, IfUnmodifiedSinceFailsAfterAChange) {
  Conditions c;
  c.if_unmodified_since = FormatHttpDate(kModified - absl::Seconds(10));
  EXPECT_EQ(EvaluatePreconditions(c, &kCurrent, true, kNow),
            Precondition::kPreconditionFailed);
}

TEST(ConditionalTest, IfRangeWithTheCurrentEtagOrDateAllowsTheRange) {
  EXPECT_TRUE(IfRangeAllows(std::nullopt, kCurrent));
  EXPECT_TRUE(IfRangeAllows("\"abc\"", kCurrent));
  EXPECT_FALSE(IfRangeAllows("\"old\"", kCurrent));
  EXPECT_FALSE(IfRangeAllows("W/\"abc\"", kCurrent));
  EXPECT_TRUE(IfRangeAllows(FormatHttpDate(kModified), kCurrent));
  EXPECT_FALSE(
      IfRangeAllows(FormatHttpDate(kModified - absl::Seconds(1)), kCurrent));
  EXPECT_FALSE(IfRangeAllows("garbage", kCurrent));
}

TEST(ConditionalTest, HttpDatesRoundTripInAllThreeForms) {
  EXPECT_EQ(FormatHttpDate(absl::FromUnixSeconds(784111777)),
            "Sun, 06 Nov 1994 08:49:37 GMT");
  for (const char* s :
       {"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994"}) {
    auto t = ParseHttpDate(s);
    ASSERT_TRUE(t.has_value()) << s;
    EXPECT_EQ(absl::ToUnixSeconds(*t), 784111777) << s;
  }
  EXPECT_FALSE(ParseHttpDate("06/11/1994").has_value());
}

TEST(ConditionalTest, MalformedEtagListsMatchNothing) {
  EXPECT_FALSE(EtagListMatches("abc", "\"abc\"", true));
  EXPECT_FALSE(EtagListMatches("\"abc", "\"abc\"", true));
  EXPECT_TRUE(EtagListMatches(" \"x\" , \"abc\" ", "\"abc\"", false));
}

}  // namespace
}  // namespace drive::gateway
