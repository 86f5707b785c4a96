// The HTTP gateway through real sockets: routing, errors, auth, hostile
// input, limits and CORS. The fixture (one cluster for the binary) is set
// up here; reads, writes and the browser test are in the sibling files.

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "drive/admin_client.h"
#include "gmock/gmock.h"
#include "tests/integration/gateway_fixture.h"
#include "tests/support/status_matchers.h"

namespace drive {

using ::testing::HasSubstr;
using testing::Http;
using testing::HttpConnection;
using testing::HttpHeaders;
using testing::RandomBytes;
using testing::ReadFileOrEmpty;

bool GatewayTest::ok_ = false;
testing::TempDir* GatewayTest::dir_ = nullptr;
testing::LocalCluster* GatewayTest::cluster_ = nullptr;
std::unique_ptr<client::DriveClient> GatewayTest::demo_;
std::unique_ptr<client::DriveClient> GatewayTest::other_;
std::string GatewayTest::other_token_;
std::unique_ptr<gateway::UrlSigner> GatewayTest::signer_;
std::string* GatewayTest::big_ = nullptr;
std::string* GatewayTest::small_ = nullptr;
client::FileInfo* GatewayTest::big_info_ = nullptr;

namespace {

std::unique_ptr<client::DriveClient> Connect(const std::string& coordinator,
                                             const std::string& account,
                                             const std::string& token) {
  client::ClientOptions o;
  o.coordinator = coordinator;
  o.account = account;
  o.token = token;
  o.region = "west";
  auto c = client::DriveClient::Connect(o);
  return c.ok() ? std::move(*c) : nullptr;
}

bool PutBytes(client::DriveClient& c, const std::string& local,
              const std::string& remote, const std::string& bytes,
              client::FileInfo* info = nullptr) {
  std::ofstream(local, std::ios::binary) << bytes;
  auto f = c.PutFile(local, remote);
  if (f.ok() && info) *info = *f;
  return f.ok();
}

}  // namespace

void GatewayTest::SetUpTestSuite() {
  dir_ = new testing::TempDir();
  cluster_ = new testing::LocalCluster(dir_->Sub("cluster"));
  if (!cluster_->Up(3, {"--pg-count", "64"})) return;
  demo_ =
      Connect(cluster_->coordinator(), cluster_->account(), cluster_->token());
  client::AdminClient admin(cluster_->coordinator(), cluster_->admin_token());
  auto token = admin.CreateAccount("other", false);
  if (!demo_ || !token.ok()) return;
  other_token_ = *token;
  other_ = Connect(cluster_->coordinator(), "other", other_token_);
  auto signer = gateway::UrlSigner::FromKeyFile(
      ReadFileOrEmpty(dir_->Sub("cluster/url-keys")));
  if (!other_ || !signer.ok()) return;
  signer_ = std::make_unique<gateway::UrlSigner>(std::move(*signer));
  big_ = new std::string(RandomBytes(2 * kChunk + 5, 1));
  small_ = new std::string(RandomBytes(100 << 10, 2));
  big_info_ = new client::FileInfo();
  ok_ = PutBytes(*demo_, dir_->Sub("big"), kBig, *big_, big_info_) &&
        PutBytes(*demo_, dir_->Sub("small"), kSmall, *small_) &&
        PutBytes(*demo_, dir_->Sub("empty"), kEmpty, "") &&
        PutBytes(*other_, dir_->Sub("secret"), "secret.txt", "other's bytes");
}

void GatewayTest::TearDownTestSuite() {
  demo_.reset();
  other_.reset();
  delete cluster_;  // stops the cluster
  delete dir_;
  delete big_;
  delete small_;
  delete big_info_;
}

HttpHeaders GatewayTest::Auth(HttpHeaders more) {
  more.insert(more.begin(), {"Authorization", "Bearer " + cluster_->token()});
  return more;
}

HttpHeaders GatewayTest::OtherAuth() {
  return {{"Authorization", "Bearer " + other_token_}};
}

std::string GatewayTest::Sign(const std::string& method,
                              const std::string& path, int64_t expires) {
  return signer_->Sign(method, path, expires);
}

int64_t GatewayTest::Now() { return absl::ToUnixSeconds(absl::Now()); }

std::vector<std::string> GatewayTest::GatewayArgs(
    std::vector<std::string> more) {
  std::vector<std::string> args = {"--coordinator",
                                   cluster_->coordinator(),
                                   "--cluster-token-file",
                                   dir_->Sub("cluster/cluster-token"),
                                   "--url-keys-file",
                                   dir_->Sub("cluster/url-keys"),
                                   "--region",
                                   "west"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::unique_ptr<testing::GatewayProcess> GatewayTest::StartGateway(
    const std::string& name, std::vector<std::string> more) {
  auto g = std::make_unique<testing::GatewayProcess>(dir_->Sub(name),
                                                     GatewayArgs(more));
  if (!g->Start()) {
    ADD_FAILURE() << "gateway " << name << " did not start";
    return nullptr;
  }
  // Ready once the probe reached the coordinator.
  for (int i = 0; i < 200; ++i) {
    if (Http(g->port(), "GET", "/readyz").status == 200) return g;
    absl::SleepFor(absl::Milliseconds(25));
  }
  ADD_FAILURE() << "gateway " << name << " never became ready";
  return nullptr;
}

double GatewayTest::Metric(int port, const std::string& series) {
  std::string text = Http(port, "GET", "/metrics").body;
  size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return 0;
  return std::stod(text.substr(at + series.size() + 2));
}

namespace {

TEST_F(GatewayTest, HealthReadinessAndMetricsAnswer) {
  EXPECT_EQ(Http(port(), "GET", "/healthz").body, "ok\n");
  EXPECT_EQ(Http(port(), "GET", "/readyz").status, 200);
  auto m = Http(port(), "GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_THAT(m.body, HasSubstr("drive_gateway_requests_total"));
  EXPECT_THAT(m.body, HasSubstr("drive_gateway_chunk_cache_bytes"));
}

TEST_F(GatewayTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  HttpConnection c(port());
  for (int i = 0; i < 3; ++i) {
    auto r = c.Request("GET", std::string("/v1/demo/") + kSmall, Auth());
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("connection"), "keep-alive");
  }
}

TEST_F(GatewayTest, ErrorsAreJsonWithTheRightStatus) {
  auto missing = Http(port(), "GET", "/v1/demo/no/such.jpg", Auth());
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.header("content-type"), "application/json");
  EXPECT_THAT(missing.body, HasSubstr("\"error\":\"not_found\""));
  EXPECT_EQ(Http(port(), "GET", "/nowhere").status, 404);
  auto patch = Http(port(), "PATCH", std::string("/v1/demo/") + kSmall, Auth());
  EXPECT_EQ(patch.status, 405);
  EXPECT_THAT(patch.header("allow"), HasSubstr("PUT"));
  EXPECT_EQ(
      Http(port(), "POST", std::string("/v1/demo/") + kSmall, Auth()).status,
      405);
  EXPECT_EQ(Http(port(), "PUT", "/healthz").status, 405);
}

TEST_F(GatewayTest, MissingOrUnknownTokenIs401) {
  auto none = Http(port(), "GET", std::string("/v1/demo/") + kSmall);
  EXPECT_EQ(none.status, 401);
  EXPECT_THAT(none.header("www-authenticate"), HasSubstr("Bearer"));
  EXPECT_EQ(Http(port(), "GET", std::string("/v1/demo/") + kSmall,
                 {{"Authorization", "Bearer drv_not_a_token"}})
                .status,
            401);
  EXPECT_EQ(Http(port(), "GET", std::string("/v1/demo/") + kSmall,
                 {{"Authorization", "Basic ZGVtbzp4"}})
                .status,
            401);
}

TEST_F(GatewayTest, AnotherAccountsTokenIs403) {
  EXPECT_EQ(Http(port(), "GET", "/v1/other/secret.txt", Auth()).status, 403);
  EXPECT_EQ(Http(port(), "GET", std::string("/v1/demo/") + kSmall, OtherAuth())
                .status,
            403);
  EXPECT_EQ(Http(port(), "GET", "/v1/demo/", OtherAuth()).status, 403);
  auto own = Http(port(), "GET", "/v1/other/secret.txt", OtherAuth());
  EXPECT_EQ(own.status, 200);
  EXPECT_EQ(own.body, "other's bytes");
}

TEST_F(GatewayTest, SignedUrlWorksWithoutAToken) {
  std::string path = std::string("/v1/demo/") + kSmall;
  auto r = Http(port(), "GET", path + "?" + Sign("GET", path, Now() + 60));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, small());
  EXPECT_EQ(
      Http(port(), "HEAD", path + "?" + Sign("GET", path, Now() + 60)).status,
      200);
}

TEST_F(GatewayTest, ExpiredTamperedAndWrongPathSignaturesAre403) {
  std::string path = std::string("/v1/demo/") + kSmall;
  EXPECT_EQ(
      Http(port(), "GET", path + "?" + Sign("GET", path, Now() - 1)).status,
      403);
  std::string q = Sign("GET", path, Now() + 60);
  std::string tampered = q;
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  EXPECT_EQ(Http(port(), "GET", path + "?" + tampered).status, 403);
  std::string later = q;
  later.replace(later.find("expires=") + 8, 1, "9");  // a later expiry
  EXPECT_EQ(Http(port(), "GET", path + "?" + later).status, 403);
  // Valid for kSmall, used on kBig and on another account's file.
  EXPECT_EQ(
      Http(port(), "GET", std::string("/v1/demo/") + kBig + "?" + q).status,
      403);
  EXPECT_EQ(Http(port(), "GET", "/v1/other/secret.txt?" + q).status, 403);
  // A GET signature does not allow DELETE or PUT.
  EXPECT_EQ(Http(port(), "DELETE", path + "?" + q).status, 403);
  EXPECT_EQ(Http(port(), "GET", path + "?sig=00&kid=k1").status, 400);
  EXPECT_TRUE(demo().Stat(kSmall).ok());
}

TEST_F(GatewayTest, TraversalEncodedSlashAndNulAreRefusedTouchingNothing) {
  auto before = demo().List("", "", 10000);
  ASSERT_OK(before);
  for (const std::string& target : std::vector<std::string>{
           "/v1/demo/../other/secret.txt", "/v1/demo/%2e%2e/other/secret.txt",
           "/v1/demo/fixture%2Fsmall.bin", "/v1/demo/fixture%2fsmall.bin",
           "/v1/demo/a%00b", "/v1/demo/a%5Cb", "/v1/demo/fixture//small.bin",
           "/v1/demo/./fixture/small.bin", "/v1/demo/%zz",
           "/v1/demo/" + std::string(1100, 'x')}) {
    EXPECT_EQ(Http(port(), "GET", target, Auth()).status, 400) << target;
    EXPECT_EQ(Http(port(), "PUT", target, Auth(), "x").status, 400) << target;
    EXPECT_EQ(Http(port(), "DELETE", target, Auth()).status, 400) << target;
  }
  auto after = demo().List("", "", 10000);
  ASSERT_OK(after);
  ASSERT_EQ(after->files.size(), before->files.size());
  for (size_t i = 0; i < after->files.size(); ++i) {
    EXPECT_EQ(after->files[i].path, before->files[i].path);
    EXPECT_EQ(after->files[i].version, before->files[i].version);
  }
  EXPECT_TRUE(other().Stat("secret.txt").ok());
}

TEST_F(GatewayTest, OversizeHeadAndUrlAreRefused) {
  auto g = StartGateway(
      "limits", {"--max-header-bytes", "4KiB", "--max-url-bytes", "2KiB"});
  ASSERT_NE(g, nullptr);
  auto head = Http(g->port(), "GET", std::string("/v1/demo/") + kSmall,
                   Auth({{"X-Padding", std::string(5000, 'p')}}));
  EXPECT_EQ(head.status, 431);
  EXPECT_THAT(head.body, HasSubstr("header_fields_too_large"));
  auto url =
      Http(g->port(), "GET", "/v1/demo/" + std::string(3000, 'u'), Auth());
  EXPECT_EQ(url.status, 414);
  // The gateway still serves others.
  EXPECT_EQ(
      Http(g->port(), "GET", std::string("/v1/demo/") + kSmall, Auth()).status,
      200);
}

TEST_F(GatewayTest, BodyOnARequestThatTakesNoneIs413) {
  EXPECT_EQ(Http(port(), "GET", std::string("/v1/demo/") + kSmall, Auth(),
                 "unexpected body")
                .status,
            413);
}

TEST_F(GatewayTest, CorsFollowsThePerAccountOrigins) {
  auto g = StartGateway("cors", {"--cors", "demo=https://app.example.com"});
  ASSERT_NE(g, nullptr);
  std::string path = std::string("/v1/demo/") + kSmall;
  auto pre = Http(g->port(), "OPTIONS", path,
                  {{"Origin", "https://app.example.com"},
                   {"Access-Control-Request-Method", "GET"},
                   {"Access-Control-Request-Headers", "authorization,range"}});
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(pre.header("access-control-allow-origin"),
            "https://app.example.com");
  EXPECT_THAT(pre.header("access-control-allow-headers"),
              HasSubstr("Authorization"));
  auto get = Http(g->port(), "GET", path,
                  Auth({{"Origin", "https://app.example.com"}}));
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.header("access-control-allow-origin"),
            "https://app.example.com");
  EXPECT_THAT(get.header("access-control-expose-headers"), HasSubstr("ETag"));
  EXPECT_EQ(get.header("vary"), "Origin");
  auto evil = Http(g->port(), "GET", path,
                   Auth({{"Origin", "https://evil.example.com"}}));
  EXPECT_EQ(evil.header("access-control-allow-origin"), "");
  EXPECT_EQ(
      Http(g->port(), "OPTIONS", path, {{"Origin", "https://evil.example.com"}})
          .status,
      403);
  // Another account has no CORS configured.
  EXPECT_EQ(Http(g->port(), "GET", "/v1/other/secret.txt",
                 {{"Authorization", "Bearer " + other_token()},
                  {"Origin", "https://app.example.com"}})
                .header("access-control-allow-origin"),
            "");
}

}  // namespace
}  // namespace drive
