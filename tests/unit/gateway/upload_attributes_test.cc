#include "daemon/gateway/upload_attributes.h"

#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace drive::gateway {
namespace {

using ::drive::testing::StatusIs;

constexpr int64_t kNow = 1'700'000'000'000;

TEST(UploadAttributesTest, DefaultsAreSniffedTypeAndNow) {
  ASSERT_OK_AND_ASSIGN(UploadAttributes a,
                       ParseUploadAttributes(std::nullopt, std::nullopt, kNow));
  EXPECT_EQ(a.content_type, "");
  EXPECT_EQ(a.mtime_ms, kNow);
  ASSERT_OK_AND_ASSIGN(
      a, ParseUploadAttributes("application/x-www-form-urlencoded",
                               std::nullopt, kNow));
  EXPECT_EQ(a.content_type, "");
}

TEST(UploadAttributesTest, GivenTypeAndMtimeAreKept) {
  ASSERT_OK_AND_ASSIGN(
      UploadAttributes a,
      ParseUploadAttributes("text/plain; charset=utf-8", "1234", kNow));
  EXPECT_EQ(a.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(a.mtime_ms, 1234);
}

// Issue 10: such a type was refused only after the whole body, with 500.
TEST(UploadAttributesTest, Issue10BadContentTypeIsInvalidArgument) {
  for (const std::string& type :
       {std::string("image/jp\x80g"), std::string("text/plain\tx"),
        std::string("caf\xc3\xa9/latte"), std::string("jpeg"),
        std::string(256, 'a')}) {
    EXPECT_THAT(ParseUploadAttributes(type, std::nullopt, kNow),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << type;
  }
}

// Issue 10: INT64_MIN was accepted and listed as the year -292275055.
TEST(UploadAttributesTest, Issue10MtimeOutsideYears1970To9999IsInvalid) {
  for (const char* mtime :
       {"-9223372036854775808", "-1", "253402300800000", "9223372036854775807",
        "99999999999999999999", "yesterday", ""}) {
    EXPECT_THAT(ParseUploadAttributes(std::nullopt, std::string(mtime), kNow),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << mtime;
  }
  EXPECT_OK(ParseUploadAttributes(std::nullopt, "0", kNow));
  EXPECT_OK(ParseUploadAttributes(std::nullopt, "253402300799999", kNow));
}

}  // namespace
}  // namespace drive::gateway
