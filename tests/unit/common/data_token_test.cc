#include "common/data_token.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace drive {
namespace {

using ::drive::testing::StatusIs;

constexpr char kSecret[] = "cluster-secret";
constexpr int64_t kNow = 1'800'000'000;

TEST(DataTokenTest, IssuedTokenVerifiesToItsAccount) {
  std::string token = IssueDataToken(kSecret, "studio-a", kNow + 3600);
  EXPECT_THAT(token, ::testing::StartsWith("v1.studio-a.1800003600."));
  ASSERT_OK_AND_ASSIGN(std::string account,
                       VerifyDataToken(kSecret, token, kNow));
  EXPECT_EQ(account, "studio-a");
}

TEST(DataTokenTest, TamperedSignatureIsUnauthenticated) {
  std::string token = IssueDataToken(kSecret, "studio", kNow + 3600);
  std::string flipped = token;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  EXPECT_THAT(VerifyDataToken(kSecret, flipped, kNow),
              StatusIs(absl::StatusCode::kUnauthenticated));
  std::string upper = token;
  for (size_t i = upper.rfind('.') + 1; i < upper.size(); ++i) {
    upper[i] = static_cast<char>(std::toupper(upper[i]));
  }
  if (upper != token) {
    EXPECT_THAT(VerifyDataToken(kSecret, upper, kNow),
                StatusIs(absl::StatusCode::kUnauthenticated));
  }
  std::string truncated = token.substr(0, token.size() - 2);
  EXPECT_THAT(VerifyDataToken(kSecret, truncated, kNow),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(DataTokenTest, ChangedAccountOrExpiryIsUnauthenticated) {
  std::string token = IssueDataToken(kSecret, "studio", kNow + 3600);
  std::string sig = token.substr(token.rfind('.') + 1);
  EXPECT_THAT(
      VerifyDataToken(kSecret, absl::StrCat("v1.other.", kNow + 3600, ".", sig),
                      kNow),
      StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(
      VerifyDataToken(kSecret,
                      absl::StrCat("v1.studio.", kNow + 99999, ".", sig), kNow),
      StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(
      VerifyDataToken(kSecret,
                      absl::StrCat("v1.studio.+", kNow + 3600, ".", sig), kNow),
      StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(DataTokenTest, TokenSignedWithAnotherSecretIsUnauthenticated) {
  std::string token = IssueDataToken("other-secret", "studio", kNow + 3600);
  EXPECT_THAT(VerifyDataToken(kSecret, token, kNow),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(VerifyDataToken("", token, kNow),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(DataTokenTest, TokenExpiresAtItsExpiryTime) {
  std::string token = IssueDataToken(kSecret, "studio", kNow + 60);
  EXPECT_OK(VerifyDataToken(kSecret, token, kNow + 59));
  EXPECT_THAT(VerifyDataToken(kSecret, token, kNow + 60),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(VerifyDataToken(kSecret, token, kNow + 86400),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(DataTokenTest, MalformedTokensAreUnauthenticated) {
  std::string good = IssueDataToken(kSecret, "studio", kNow + 3600);
  std::string sig = good.substr(good.rfind('.') + 1);
  for (const std::string& token : {
           std::string(),
           std::string("v1"),
           std::string("...."),
           std::string("v1..1800003600.") + sig,
           std::string("v2.studio.1800003600.") + sig,
           std::string("V1.studio.1800003600.") + sig,
           std::string("v1.Studio.1800003600.") + sig,
           std::string("v1.studio.soon.") + sig,
           std::string("v1.studio.1800003600"),
           std::string("v1.studio.1800003600.") + sig + ".extra",
           std::string("v1.st.dio.1800003600.") + sig,
           std::string("v1.studio.99999999999999999999999.") + sig,
           good + std::string(1, '\0'),
           std::string("Bearer ") + good,
       }) {
    EXPECT_THAT(VerifyDataToken(kSecret, token, kNow),
                StatusIs(absl::StatusCode::kUnauthenticated))
        << token;
  }
}

TEST(DataTokenTest, HmacAndShaMatchPublishedTestVectors) {
  // RFC 4231, test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // FIPS 180-2, "abc".
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(DataTokenTest, RandomHexHasTheRequestedLengthAndDoesNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string h = RandomHex(16);
    ASSERT_EQ(h.size(), 32u);
    EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
    seen.insert(h);
  }
  EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace drive
