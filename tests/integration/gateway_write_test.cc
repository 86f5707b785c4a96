// PUT, DELETE and the limits that protect the gateway: digests, conflicts,
// interrupted uploads, slow clients, the connection cap and shutdown.

#include <signal.h>

#include <chrono>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/chunk_id.h"
#include "gmock/gmock.h"
#include "nlohmann/json.hpp"
#include "tests/integration/gateway_fixture.h"
#include "tests/support/status_matchers.h"

namespace drive {
namespace {

using ::drive::testing::StatusIs;
using ::testing::HasSubstr;
using testing::Http;
using testing::HttpConnection;
using testing::RandomBytes;

// Polls `done` for up to `seconds`.
bool Eventually(const std::function<bool()>& done, int seconds = 15) {
  for (int i = 0; i < seconds * 20; ++i) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return done();
}

TEST_F(GatewayTest, PutStoresTheBodyAndGetReturnsIt) {
  std::string body = RandomBytes(kChunk + 12345, 7);
  auto r = Http(port(), "PUT", "/v1/demo/up/two-chunks.bin",
                Auth({{"X-Drive-Xxh3", ChunkId::Of(body).ToHex()}}), body);
  ASSERT_EQ(r.status, 201) << r.body;
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["size"], body.size());
  EXPECT_EQ(j["etag"], ChunkId::Of(body).ToHex());
  EXPECT_EQ(r.header("etag"), "\"" + ChunkId::Of(body).ToHex() + "\"");
  EXPECT_EQ(Http(port(), "GET", "/v1/demo/up/two-chunks.bin", Auth()).body,
            body);
  // The library sees the same file with all its copies.
  auto info = demo().Stat("up/two-chunks.bin");
  ASSERT_OK(info);
  EXPECT_EQ(info->hash, ChunkId::Of(body));
  EXPECT_EQ(info->chunks.size(), 2u);
  // Overwriting answers 200 with the next version.
  auto again = Http(port(), "PUT", "/v1/demo/up/two-chunks.bin", Auth(), "v2");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(nlohmann::json::parse(again.body)["version"], 2);
}

TEST_F(GatewayTest, ChunkedUploadIsAccepted) {
  HttpConnection c(port());
  ASSERT_TRUE(c.SendRaw(absl::StrCat(
      "PUT /v1/demo/up/chunked.txt HTTP/1.1\r\nHost: x\r\nAuthorization: "
      "Bearer ",
      cluster().token(),
      "\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0"
      "\r\n\r\n")));
  auto r = c.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(Http(port(), "GET", "/v1/demo/up/chunked.txt", Auth()).body,
            "hello world");
}

TEST_F(GatewayTest, DigestMismatchStoresNothing) {
  std::string body = RandomBytes(300000, 8);
  auto xxh = Http(port(), "PUT", "/v1/demo/up/bad-xxh3.bin",
                  Auth({{"X-Drive-Xxh3", ChunkId::Of("other").ToHex()}}), body);
  EXPECT_EQ(xxh.status, 400);
  EXPECT_THAT(xxh.body, HasSubstr("X-Drive-Xxh3"));
  auto md5 = Http(
      port(), "PUT", "/v1/demo/up/bad-md5.bin",
      Auth({{"Content-MD5", absl::Base64Escape(std::string(16, 'x'))}}), body);
  EXPECT_EQ(md5.status, 400);
  EXPECT_THAT(md5.body, HasSubstr("Content-MD5"));
  EXPECT_EQ(Http(port(), "PUT", "/v1/demo/up/bad-header.bin",
                 Auth({{"X-Drive-Xxh3", "zz"}}), body)
                .status,
            400);
  for (const char* p :
       {"up/bad-xxh3.bin", "up/bad-md5.bin", "up/bad-header.bin"}) {
    EXPECT_THAT(demo().Stat(p), StatusIs(absl::StatusCode::kNotFound)) << p;
  }
  // The right MD5 passes.
  EXPECT_EQ(
      Http(port(), "PUT", "/v1/demo/up/good-md5.txt",
           Auth({{"Content-MD5", "XrY7u+Ae7tCTyyK7j1rNww=="}}), "hello world")
          .status,
      201);
}

TEST_F(GatewayTest, ConditionalPutsFailWith412OrConflictWith409) {
  std::string path = "/v1/demo/up/conditional.txt";
  ASSERT_EQ(
      Http(port(), "PUT", path, Auth({{"If-None-Match", "*"}}), "one").status,
      201);
  EXPECT_EQ(
      Http(port(), "PUT", path, Auth({{"If-None-Match", "*"}}), "two").status,
      412);
  EXPECT_EQ(Http(port(), "PUT", path, Auth({{"If-Match", "\"stale\""}}), "two")
                .status,
            412);

  // A create-only upload that another upload overtakes: the gateway checked
  // the precondition (and said 100 Continue) before the other commit, so
  // its own commit finds the file changed.
  std::string race = "/v1/demo/up/race.txt";
  HttpConnection slow(port());
  ASSERT_TRUE(slow.SendRaw(absl::StrCat(
      "PUT ", race, " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ",
      cluster().token(),
      "\r\nIf-None-Match: *\r\nExpect: 100-continue\r\nContent-Length: 4\r\n"
      "\r\n")));
  auto cont = slow.Read(false, /*interim=*/true);
  ASSERT_TRUE(cont.has_value());
  ASSERT_EQ(cont->status, 100);
  EXPECT_EQ(Http(port(), "PUT", race, Auth(), "fast").status, 201);
  ASSERT_TRUE(slow.SendRaw("slow"));
  auto r = slow.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 409);
  EXPECT_EQ(Http(port(), "GET", race, Auth()).body, "fast");
}

TEST_F(GatewayTest, DeleteMovesToTrash) {
  std::string path = "/v1/demo/up/to-delete.txt";
  ASSERT_EQ(Http(port(), "PUT", path, Auth(), "bye").status, 201);
  auto r = Http(port(), "DELETE", path, Auth());
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("trash_id"));
  EXPECT_EQ(Http(port(), "GET", path, Auth()).status, 404);
  EXPECT_EQ(Http(port(), "DELETE", path, Auth()).status, 404);
  auto trash = demo().ListTrash("up/to-delete.txt");
  ASSERT_OK(trash);
  EXPECT_EQ(trash->size(), 1u);
}

TEST_F(GatewayTest, UploadInterruptedHalfWayCommitsNothing) {
  const double failed_before =
      Metric(port(), "drive_gateway_uploads_total{outcome=\"failed\"}");
  {
    HttpConnection c(port());
    ASSERT_TRUE(c.SendRaw(absl::StrCat(
        "PUT /v1/demo/up/interrupted.bin HTTP/1.1\r\nHost: x\r\n"
        "Authorization: Bearer ",
        cluster().token(), "\r\nContent-Length: ", 2 * kChunk, "\r\n\r\n")));
    // More than one chunk, so the gateway has sent chunks to the nodes.
    ASSERT_TRUE(c.SendRaw(RandomBytes(kChunk + kChunk / 2, 9)));
    absl::SleepFor(absl::Milliseconds(300));
  }  // the client goes away
  EXPECT_TRUE(Eventually([&] {
    return Metric(port(), "drive_gateway_uploads_total{outcome=\"failed\"}") >
           failed_before;
  }));
  EXPECT_THAT(demo().Stat("up/interrupted.bin"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(Http(port(), "GET", "/v1/demo/up/interrupted.bin", Auth()).status,
            404);
}

TEST_F(GatewayTest, LimitsGive413And503) {
  auto g = StartGateway(
      "tight", {"--max-upload-bytes", "1MiB", "--max-connections", "3"});
  ASSERT_NE(g, nullptr);
  auto big_put = Http(g->port(), "PUT", "/v1/demo/up/too-big.bin",
                      Auth({{"Content-Length", std::to_string(2 << 20)}}));
  EXPECT_EQ(big_put.status, 413);
  // Chunked bodies are cut off at the limit too; nothing is committed.
  HttpConnection c(g->port());
  ASSERT_TRUE(c.SendRaw(absl::StrCat(
      "PUT /v1/demo/up/too-big-chunked.bin HTTP/1.1\r\nHost: x\r\n"
      "Authorization: Bearer ",
      cluster().token(), "\r\nTransfer-Encoding: chunked\r\n\r\n")));
  std::string piece(512 << 10, 'z');
  for (int i = 0; i < 3; ++i) {
    c.SendRaw(absl::StrCat(absl::Hex(piece.size()), "\r\n", piece, "\r\n"));
  }
  auto cut = c.Read();
  ASSERT_TRUE(cut.has_value());
  EXPECT_EQ(cut->status, 413);
  c.Close();
  EXPECT_THAT(demo().Stat("up/too-big-chunked.bin"),
              StatusIs(absl::StatusCode::kNotFound));

  // Fill the three connection slots; the fourth gets 503 at once.
  ASSERT_TRUE(Eventually(
      [&] { return Metric(g->port(), "drive_gateway_connections") <= 1; }));
  std::vector<std::unique_ptr<HttpConnection>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<HttpConnection>(g->port()));
    auto r = held.back()->Request("GET", "/healthz");
    ASSERT_TRUE(r.has_value());
  }
  HttpConnection extra(g->port());
  auto busy = extra.Read();
  ASSERT_TRUE(busy.has_value());
  EXPECT_EQ(busy->status, 503);
  EXPECT_EQ(busy->header("retry-after"), "1");
}

TEST_F(GatewayTest, SlowClientsDoNotStallOthers) {
  // One client asks for the big file and reads nothing; another sends half
  // a request head and stops.
  HttpConnection stalled(port(), std::chrono::seconds(30), 32 << 10);
  ASSERT_TRUE(stalled.SendRaw(absl::StrCat(
      "GET /v1/demo/", kBig, " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ",
      cluster().token(), "\r\n\r\n")));
  HttpConnection loris(port());
  ASSERT_TRUE(loris.SendRaw("GET /v1/demo/fixture/small.bin HTTP/1.1\r\nHo"));
  absl::SleepFor(absl::Milliseconds(200));
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) {
    auto r = Http(port(), "GET", std::string("/v1/demo/") + kSmall, Auth());
    ASSERT_EQ(r.status, 200);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(GatewayTest, SlowClientsAreDisconnectedAfterTheTimeouts) {
  auto g = StartGateway("timeouts",
                        {"--io-timeout", "1s", "--header-timeout", "1s"});
  ASSERT_NE(g, nullptr);
  HttpConnection stalled(g->port(), std::chrono::seconds(10), 32 << 10);
  ASSERT_TRUE(stalled.SendRaw(absl::StrCat(
      "GET /v1/demo/", kBig, " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ",
      cluster().token(), "\r\n\r\n")));
  HttpConnection loris(g->port(), std::chrono::seconds(10));
  ASSERT_TRUE(loris.SendRaw("GET /healthz HTTP/1.1\r\nHo"));
  absl::SleepFor(absl::Seconds(3));
  bool closed = false;
  size_t got = stalled.Drain(std::chrono::seconds(5), &closed);
  EXPECT_TRUE(closed);
  EXPECT_LT(got, big().size());
  loris.Drain(std::chrono::seconds(5), &closed);
  EXPECT_TRUE(closed);
}

TEST_F(GatewayTest, SigtermFinishesRequestsInFlightThenExits) {
  auto g = StartGateway("shutdown", {"--shutdown-grace", "20s"});
  ASSERT_NE(g, nullptr);
  HttpConnection reader(g->port(), std::chrono::seconds(20), 32 << 10);
  ASSERT_TRUE(reader.SendRaw(absl::StrCat(
      "GET /v1/demo/", kBig, " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ",
      cluster().token(), "\r\n\r\n")));
  HttpConnection idle(g->port());
  ASSERT_TRUE(idle.Request("GET", "/healthz").has_value());
  absl::SleepFor(absl::Milliseconds(300));
  ::kill(g->pid(), SIGTERM);
  // The idle keep-alive connection is closed; the download completes.
  bool closed = false;
  idle.Drain(std::chrono::seconds(5), &closed);
  EXPECT_TRUE(closed);
  auto r = reader.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, big());
  // No further request on it: the gateway closes it and exits.
  reader.Drain(std::chrono::seconds(5), &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(g->Terminate(30), 0);
}

}  // namespace
}  // namespace drive
