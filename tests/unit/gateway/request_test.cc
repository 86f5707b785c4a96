// The gateway's request handlers over an in-memory Cluster: a Gateway
// behind an HttpServer on a loopback port, with FakeGatewayCluster for the
// data. Checks how handlers turn the cluster's answers into HTTP.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/env.h"
#include "common/metrics.h"
#include "daemon/gateway/cors_policy.h"
#include "daemon/gateway/gateway.h"
#include "daemon/gateway/http_server.h"
#include "daemon/gateway/url_signer.h"
#include "tests/support/fake_gateway_cluster.h"
#include "tests/support/http_client.h"

namespace drive::gateway {
namespace {

using ::drive::testing::Http;
using ::drive::testing::HttpHeaders;
using ::drive::testing::HttpReply;
using ::testing::HasSubstr;

class RequestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.AddToken("studio", "studio-token");
    cluster_.AddToken("other", "other-token");
    gateway_ = std::make_unique<Gateway>(GatewayOptions{}, &cluster_, &signer_,
                                         &cors_, Env::Default(), &metrics_);
    HttpServerOptions options;
    options.port = 0;
    server_ = std::make_unique<HttpServer>(options, gateway_.get());
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
  }
  void TearDown() override {
    if (server_) server_->Stop(absl::Seconds(5));
  }

  static HttpHeaders Auth(HttpHeaders more = {},
                          const std::string& token = "studio-token") {
    more.emplace_back("Authorization", "Bearer " + token);
    return more;
  }
  HttpReply Send(const std::string& method, const std::string& target,
                 const HttpHeaders& headers = Auth(),
                 std::string_view body = {}) {
    return Http(port_, method, target, headers, body);
  }

  // PUTs a small text file to studio/new.txt.
  HttpReply PutText(HttpHeaders headers = {}) {
    headers.emplace_back("Content-Type", "text/plain");
    return Send("PUT", "/v1/studio/new.txt", Auth(std::move(headers)),
                "fresh bytes");
  }

  testing::FakeGatewayCluster cluster_;
  UrlSigner signer_ =
      *UrlSigner::FromKeys({{"k1", "request-test-secret-0123456789"}});
  CorsPolicy cors_;
  MetricsRegistry metrics_;
  std::unique_ptr<Gateway> gateway_;
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
};

std::string Bytes(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i * 7 % 26);
  return s;
}

TEST_F(RequestTest, GetWithRangeAcrossChunksReturnsExactlyThoseBytes) {
  const std::string content = Bytes(10000);
  cluster_.AddFile("studio", "shoot/a.jpg", content, "image/jpeg", 1000);

  HttpReply r = Send("GET", "/v1/studio/shoot/a.jpg",
                     Auth({{"Range", "bytes=1500-2600"}}));

  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.header("content-range"), "bytes 1500-2600/10000");
  EXPECT_EQ(r.header("content-type"), "image/jpeg");
  EXPECT_EQ(r.body, content.substr(1500, 1101));
}

TEST_F(RequestTest, GetWithUnsatisfiableRangeIs416) {
  cluster_.AddFile("studio", "a.txt", "hello", "text/plain");

  HttpReply r = Send("GET", "/v1/studio/a.txt", Auth({{"Range", "bytes=9-"}}));

  EXPECT_EQ(r.status, 416);
  EXPECT_EQ(r.header("content-range"), "bytes */5");
}

TEST_F(RequestTest, GetOfMissingFileIs404) {
  HttpReply r = Send("GET", "/v1/studio/no/such.jpg");

  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("not_found"));
}

TEST_F(RequestTest, TokenOfAnotherAccountIs403AndUnknownTokenIs401) {
  cluster_.AddFile("studio", "a.txt", "hello", "text/plain");

  EXPECT_EQ(Send("GET", "/v1/studio/a.txt", Auth({}, "other-token")).status,
            403);
  EXPECT_EQ(Send("GET", "/v1/studio/a.txt", Auth({}, "nobody")).status, 401);
}

TEST_F(RequestTest, PutStoresTheBodyAndAnswers201) {
  HttpReply r = PutText();

  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.header("x-drive-version"), "1");
  EXPECT_EQ(cluster_.Content("studio", "new.txt"), "fresh bytes");
}

TEST_F(RequestTest, PutThatTheClusterAbortsIs409AndCommitsNothing) {
  cluster_.RefuseUploads(absl::AbortedError("version changed"));

  HttpReply r = PutText();

  EXPECT_EQ(r.status, 409);
  EXPECT_THAT(r.body, HasSubstr("nothing committed"));
  EXPECT_EQ(cluster_.Content("studio", "new.txt"), std::nullopt);
}

TEST_F(RequestTest, PutThatTheClusterCannotPlaceIs503) {
  cluster_.RefuseUploads(absl::UnavailableError("write quorum not met"));

  HttpReply r = PutText();

  EXPECT_EQ(r.status, 503);
  EXPECT_THAT(r.body, HasSubstr("write quorum not met"));
}

TEST_F(RequestTest, PutWhoseDigestDoesNotMatchTheBodyIsRefused) {
  HttpReply r =
      PutText({{"X-Drive-Xxh3", ChunkId::Of(std::string("other")).ToHex()}});

  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(cluster_.Content("studio", "new.txt"), std::nullopt);
}

TEST_F(RequestTest, DeleteMovesTheFileAwayAndReturnsItsTrashId) {
  cluster_.AddFile("studio", "a.txt", "hello", "text/plain");

  HttpReply r = Send("DELETE", "/v1/studio/a.txt");

  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("\"trash_id\":\"trash-1\""));
  EXPECT_EQ(Send("GET", "/v1/studio/a.txt").status, 404);
}

TEST_F(RequestTest, ListingNamesTheFilesUnderThePrefix) {
  cluster_.AddFile("studio", "shoot/a.jpg", "a", "image/jpeg");
  cluster_.AddFile("studio", "other/b.jpg", "b", "image/jpeg");

  HttpReply r = Send("GET", "/v1/studio/shoot/");

  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("shoot/a.jpg"));
  EXPECT_THAT(r.body, ::testing::Not(HasSubstr("other/b.jpg")));
}

}  // namespace
}  // namespace drive::gateway
