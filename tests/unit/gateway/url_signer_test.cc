#include "daemon/gateway/url_signer.h"

#include <map>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace drive::gateway {
namespace {

using ::drive::testing::StatusIs;

constexpr int64_t kNow = 1800000000;
constexpr char kPath[] = "/v1/demo/samples/Aqua.jpg";

std::map<std::string, std::string> Query(const std::string& q) {
  std::map<std::string, std::string> m;
  for (absl::string_view kv : absl::StrSplit(q, '&')) {
    std::vector<std::string> p = absl::StrSplit(kv, absl::MaxSplits('=', 1));
    m[p[0]] = p.size() > 1 ? p[1] : "";
  }
  return m;
}

class UrlSignerTest : public ::testing::Test {
 protected:
  UrlSigner signer_ = *UrlSigner::FromKeyFile(
      "# rotated 2026-11\nk2 second-secret-0123456789\n"
      "k1 first-secret-0123456789\n");

  absl::Status Verify(const std::string& method, const std::string& path,
                      const std::string& query, int64_t now) {
    auto q = Query(query);
    return signer_.Verify(method, path, q["kid"], q["expires"], q["sig"], now);
  }
};

TEST_F(UrlSignerTest, SignedUrlVerifiesUntilItExpires) {
  std::string q = signer_.Sign("GET", kPath, kNow + 60);
  EXPECT_THAT(q, ::testing::StartsWith("kid=k2&expires=1800000060&sig="));
  EXPECT_OK(Verify("GET", kPath, q, kNow));
  EXPECT_OK(Verify("HEAD", kPath, q, kNow + 59));
  EXPECT_THAT(Verify("GET", kPath, q, kNow + 60),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(UrlSignerTest, OtherPathOrMethodDoesNotVerify) {
  std::string q = signer_.Sign("GET", kPath, kNow + 60);
  EXPECT_THAT(Verify("GET", "/v1/demo/samples/Dune.jpg", q, kNow),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(Verify("DELETE", kPath, q, kNow),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(Verify("GET", "/v1/other/samples/Aqua.jpg", q, kNow),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(UrlSignerTest, TamperedExpiryOrSignatureDoesNotVerify) {
  auto q = Query(signer_.Sign("GET", kPath, kNow + 60));
  EXPECT_THAT(
      signer_.Verify("GET", kPath, q["kid"], "1900000000", q["sig"], kNow),
      StatusIs(absl::StatusCode::kPermissionDenied));
  std::string sig = q["sig"];
  sig[0] = sig[0] == 'a' ? 'b' : 'a';
  EXPECT_THAT(signer_.Verify("GET", kPath, q["kid"], q["expires"], sig, kNow),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(signer_.Verify("GET", kPath, q["kid"], "soon", q["sig"], kNow),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(UrlSignerTest, RetiredSigningKeyStillVerifiesWhileListed) {
  UrlSigner old = *UrlSigner::FromKeys({{"k1", "first-secret-0123456789"}});
  auto q = Query(old.Sign("GET", kPath, kNow + 60));
  EXPECT_OK(
      signer_.Verify("GET", kPath, q["kid"], q["expires"], q["sig"], kNow));
  UrlSigner rotated = *UrlSigner::FromKeys({{"k3", "third-secret-0123456789"}});
  EXPECT_THAT(
      rotated.Verify("GET", kPath, q["kid"], q["expires"], q["sig"], kNow),
      StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(UrlSignerTest, BadKeyFilesAreRefused) {
  EXPECT_THAT(UrlSigner::FromKeyFile(""),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(UrlSigner::FromKeyFile("k1 short"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(UrlSigner::FromKeyFile("k/1 0123456789abcdef0123"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      UrlSigner::FromKeyFile("k1 0123456789abcdef\nk1 fedcba9876543210"),
      StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(UrlSigner::FromKeyFile("k1 0123456789abcdef extra"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace drive::gateway
