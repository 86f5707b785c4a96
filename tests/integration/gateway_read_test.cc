// GET and HEAD through the gateway: headers, ranges at chunk boundaries,
// zero-length files, conditional requests, listings, shares, galleries.

#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "nlohmann/json.hpp"
#include "tests/integration/gateway_fixture.h"
#include "tests/support/status_matchers.h"

namespace drive {
namespace {

using ::testing::HasSubstr;
using testing::Http;
using testing::HttpReply;

std::string Path(const char* p) { return std::string("/v1/demo/") + p; }

HttpReply GetRange(int port, const std::string& range) {
  return Http(port, "GET", Path(GatewayTest::kBig),
              GatewayTest::Auth({{"Range", "bytes=" + range}}));
}

TEST_F(GatewayTest, GetStreamsTheFileWithItsHeaders) {
  auto r = Http(port(), "GET", Path(kBig), Auth());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, big());
  EXPECT_EQ(r.header("content-length"), std::to_string(big().size()));
  EXPECT_EQ(r.header("etag"), "\"" + big_info().hash.ToHex() + "\"");
  EXPECT_EQ(r.header("accept-ranges"), "bytes");
  EXPECT_EQ(r.header("x-drive-durability"), big_info().durability);
  EXPECT_THAT(r.header("last-modified"), HasSubstr(" GMT"));
  EXPECT_EQ(r.header("cache-control"), "private, no-cache");
  EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
  EXPECT_FALSE(r.header("content-type").empty());
}

TEST_F(GatewayTest, HeadHasTheHeadersAndNoBody) {
  testing::HttpConnection c(port());
  auto r = c.Request("HEAD", Path(kBig), Auth());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-length"), std::to_string(big().size()));
  // The connection is still in sync: the next response is the next one.
  auto next = c.Request("GET", Path(kSmall), Auth());
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->body, small());
}

TEST_F(GatewayTest, ContentTypeComesFromTheStoredTypeOrTheMagicBytes) {
  std::string jpeg = "\xFF\xD8\xFF\xE0 not really a jpeg";
  EXPECT_EQ(Http(port(), "PUT", "/v1/demo/types/photo", Auth(), jpeg).status,
            201);
  EXPECT_EQ(Http(port(), "GET", "/v1/demo/types/photo", Auth())
                .header("content-type"),
            "image/jpeg");
  EXPECT_EQ(Http(port(), "PUT", "/v1/demo/types/notes",
                 Auth({{"Content-Type", "text/markdown"}}), "# hi")
                .status,
            201);
  EXPECT_EQ(Http(port(), "GET", "/v1/demo/types/notes", Auth())
                .header("content-type"),
            "text/markdown");
}

TEST_F(GatewayTest, RangesAtChunkBoundariesReturnExactlyThoseBytes) {
  const uint64_t n = big().size();
  struct Case {
    std::string spec;
    uint64_t first, last;
  };
  for (const Case& c :
       std::vector<Case>{{"4194303-4194303", kChunk - 1, kChunk - 1},
                         {"4194303-4194304", kChunk - 1, kChunk},
                         {"4194304-4194305", kChunk, kChunk + 1},
                         {"4194303-4194305", kChunk - 1, kChunk + 1},
                         {"0-4194303", 0, kChunk - 1},
                         {"4194305-", kChunk + 1, n - 1},
                         {"8388607-8388609", 2 * kChunk - 1, 2 * kChunk + 1},
                         {"0-", 0, n - 1},
                         {"100-99999999999", 100, n - 1}}) {
    auto r = GetRange(port(), c.spec);
    ASSERT_EQ(r.status, 206) << c.spec;
    EXPECT_EQ(r.header("content-range"),
              absl::StrCat("bytes ", c.first, "-", c.last, "/", n))
        << c.spec;
    EXPECT_EQ(r.body, big().substr(c.first, c.last - c.first + 1)) << c.spec;
  }
}

TEST_F(GatewayTest, SuffixRangesTakeTheTail) {
  const uint64_t n = big().size();
  for (uint64_t k : {uint64_t{1}, uint64_t{5}, uint64_t{6}, kChunk + 6}) {
    auto r = GetRange(port(), absl::StrCat("-", k));
    ASSERT_EQ(r.status, 206) << k;
    EXPECT_EQ(r.body, big().substr(n - k)) << k;
  }
  auto all = GetRange(port(), absl::StrCat("-", 10 * n));
  EXPECT_EQ(all.status, 206);
  EXPECT_EQ(all.body.size(), n);
}

TEST_F(GatewayTest, UnsatisfiableRangeIs416) {
  const uint64_t n = big().size();
  for (const std::string& spec :
       {absl::StrCat(n, "-"), absl::StrCat(n, "-", n + 9), std::string("-0")}) {
    auto r = GetRange(port(), spec);
    EXPECT_EQ(r.status, 416) << spec;
    EXPECT_EQ(r.header("content-range"), absl::StrCat("bytes */", n));
  }
  // Not a range we serve: the whole file instead.
  EXPECT_EQ(GetRange(port(), "0-1,5-6").status, 200);
  EXPECT_EQ(GetRange(port(), "9-3").status, 200);
}

TEST_F(GatewayTest, ZeroLengthFileServesEmptyBodies) {
  auto r = Http(port(), "GET", Path(kEmpty), Auth());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-length"), "0");
  EXPECT_EQ(r.body, "");
  auto ranged =
      Http(port(), "GET", Path(kEmpty), Auth({{"Range", "bytes=0-"}}));
  EXPECT_EQ(ranged.status, 416);
  EXPECT_EQ(ranged.header("content-range"), "bytes */0");
  EXPECT_EQ(
      Http(port(), "GET", Path(kEmpty), Auth({{"Range", "bytes=-5"}})).status,
      200);
}

TEST_F(GatewayTest, MatchingEtagOrDateIs304) {
  std::string etag = "\"" + big_info().hash.ToHex() + "\"";
  auto r = Http(port(), "GET", Path(kBig), Auth({{"If-None-Match", etag}}));
  EXPECT_EQ(r.status, 304);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.header("etag"), etag);
  auto other =
      Http(port(), "GET", Path(kSmall), Auth({{"If-None-Match", etag}}));
  EXPECT_EQ(other.status, 200);
  std::string modified =
      Http(port(), "HEAD", Path(kBig), Auth()).header("last-modified");
  EXPECT_EQ(
      Http(port(), "GET", Path(kBig), Auth({{"If-Modified-Since", modified}}))
          .status,
      304);
  EXPECT_EQ(
      Http(port(), "GET", Path(kBig), Auth({{"If-Match", "\"nope\""}})).status,
      412);
}

TEST_F(GatewayTest, IfRangeWithAStaleEtagSendsTheWholeFile) {
  std::string etag = "\"" + big_info().hash.ToHex() + "\"";
  auto fresh = Http(port(), "GET", Path(kBig),
                    Auth({{"Range", "bytes=0-9"}, {"If-Range", etag}}));
  EXPECT_EQ(fresh.status, 206);
  EXPECT_EQ(fresh.body, big().substr(0, 10));
  auto stale = Http(port(), "GET", Path(kBig),
                    Auth({{"Range", "bytes=0-9"}, {"If-Range", "\"old\""}}));
  EXPECT_EQ(stale.status, 200);
  EXPECT_EQ(stale.body.size(), big().size());
}

TEST_F(GatewayTest, ContentAddressedUrlIsImmutable) {
  std::string hash = big_info().hash.ToHex();
  auto r = Http(port(), "HEAD", Path(kBig) + "?v=" + hash, Auth());
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.header("cache-control"), HasSubstr("immutable"));
  EXPECT_EQ(
      Http(port(), "GET", Path(kBig) + "?v=" + std::string(32, '0'), Auth())
          .status,
      404);
  std::string path = Path(kBig);
  auto s = Http(port(), "HEAD",
                path + "?v=" + hash + "&" + Sign("GET", path, Now() + 600));
  EXPECT_EQ(s.status, 200);
  EXPECT_THAT(s.header("cache-control"), HasSubstr("public, max-age="));
}

TEST_F(GatewayTest, ListingIsPaginatedJson) {
  auto page1 = Http(port(), "GET", "/v1/demo/?prefix=fixture/&limit=2", Auth());
  ASSERT_EQ(page1.status, 200);
  auto j1 = nlohmann::json::parse(page1.body);
  ASSERT_EQ(j1["files"].size(), 2u);
  EXPECT_EQ(j1["files"][0]["name"], kBig);
  EXPECT_EQ(j1["files"][0]["size"], big().size());
  EXPECT_EQ(j1["files"][0]["etag"], big_info().hash.ToHex());
  for (const char* key : {"type", "mtime", "durability", "url"}) {
    EXPECT_TRUE(j1["files"][0].contains(key)) << key;
  }
  std::string cursor = j1["next_cursor"];
  ASSERT_FALSE(cursor.empty());
  auto page2 =
      Http(port(), "GET", "/v1/demo/?prefix=fixture/&limit=2&cursor=" + cursor,
           Auth());
  auto j2 = nlohmann::json::parse(page2.body);
  ASSERT_EQ(j2["files"].size(), 1u);
  EXPECT_EQ(j2["files"][0]["name"], kSmall);
  EXPECT_EQ(j2["next_cursor"], "");
  // The path form narrows the same way.
  auto path_form = Http(port(), "GET", "/v1/demo/fixture/?limit=10", Auth());
  EXPECT_EQ(nlohmann::json::parse(path_form.body)["files"].size(), 3u);
  EXPECT_EQ(Http(port(), "GET", "/v1/demo/?limit=0", Auth()).status, 400);
  EXPECT_EQ(Http(port(), "GET", "/v1/demo/?prefix=../x", Auth()).status, 400);
}

TEST_F(GatewayTest, ShareCreatesAWorkingSignedUrl) {
  auto r = Http(port(), "POST", Path(kSmall) + "?share&ttl=1h", Auth());
  ASSERT_EQ(r.status, 200);
  std::string url = nlohmann::json::parse(r.body)["url"];
  auto got = Http(testing::PortOf(url), "GET", testing::TargetOf(url));
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, small());
  EXPECT_EQ(
      Http(port(), "POST", Path(kSmall) + "?share&ttl=400d", Auth()).status,
      400);
  EXPECT_EQ(Http(port(), "POST", "/v1/demo/missing.jpg?share", Auth()).status,
            404);
  EXPECT_EQ(Http(port(), "POST", Path(kSmall) + "?share").status, 401);
  // A signed URL cannot mint new ones.
  std::string path = Path(kSmall);
  EXPECT_EQ(
      Http(port(), "POST", path + "?share&" + Sign("POST", path, Now() + 60))
          .status,
      403);
}

TEST_F(GatewayTest, DriveShareCliPrintsASignedUrl) {
  std::string out = Temp("share.out");
  std::string cmd =
      absl::StrCat("DRIVE_GATEWAY=", cluster().gateway(),
                   " DRIVE_ACCOUNT=demo DRIVE_TOKEN=", cluster().token(), " ",
                   DRIVE_BINARY_DIR, "/client/drive share ", kSmall,
                   " --expires 2s > ", out);
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::string url = testing::ReadFileOrEmpty(out);
  while (!url.empty() && url.back() == '\n') url.pop_back();
  ASSERT_THAT(url, HasSubstr("sig="));
  EXPECT_EQ(Http(testing::PortOf(url), "GET", testing::TargetOf(url)).body,
            small());
  // Without DRIVE_GATEWAY the CLI says what is missing (exit 2).
  std::string bare =
      absl::StrCat("env -u DRIVE_GATEWAY DRIVE_ACCOUNT=demo DRIVE_TOKEN=x ",
                   DRIVE_BINARY_DIR, "/client/drive share x 2>/dev/null");
  int rc = std::system(bare.c_str());
  EXPECT_EQ(WEXITSTATUS(rc), 2);
}

TEST_F(GatewayTest, GalleryListsImagesWithSignedLinks) {
  ASSERT_EQ(Http(port(), "PUT", "/v1/demo/gallery-one/a.png", Auth(),
                 std::string("\x89PNG\r\n\x1A\n", 8) + "pixels")
                .status,
            201);
  ASSERT_EQ(
      Http(port(), "PUT", "/v1/demo/gallery-one/raw.cr3", Auth(), "raw").status,
      201);
  auto page = Http(port(), "GET", "/gallery/demo/gallery-one/", Auth());
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.header("content-type"), HasSubstr("text/html"));
  EXPECT_THAT(page.body, HasSubstr("loading=\"lazy\""));
  EXPECT_THAT(page.body, HasSubstr("raw.cr3"));
  size_t at = page.body.find("<img src=\"");
  ASSERT_NE(at, std::string::npos);
  std::string src = page.body.substr(at + 10);
  src = src.substr(0, src.find('"'));
  for (size_t amp; (amp = src.find("&amp;")) != std::string::npos;) {
    src.replace(amp, 5, "&");
  }
  auto img = Http(port(), "GET", src);  // no token: the link is signed
  EXPECT_EQ(img.status, 200);
  EXPECT_EQ(img.header("content-type"), "image/png");
  EXPECT_EQ(Http(port(), "GET", "/gallery/demo/gallery-one/").status, 401);
}

}  // namespace
}  // namespace drive
