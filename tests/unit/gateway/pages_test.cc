// Listings, the gallery page, error bodies and upload digests.

#include "absl/strings/escaping.h"
#include "daemon/gateway/gallery_page.h"
#include "daemon/gateway/http_errors.h"
#include "daemon/gateway/listing.h"
#include "daemon/gateway/upload_digest.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/status_matchers.h"

namespace drive::gateway {
namespace {

using ::drive::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

client::FileInfo File(const std::string& path, const std::string& content) {
  client::FileInfo f;
  f.path = path;
  f.size = content.size();
  f.mtime_ms = 1767225600123;
  f.content_type = "image/jpeg";
  f.hash = ChunkId::Of(content);
  f.version = 2;
  f.durability = "full";
  return f;
}

TEST(ListingTest, ListingJsonHasTheDocumentedFields) {
  auto f = File("samples/a.jpg", "abc");
  std::string text = ListingJson("demo", "samples/", {f}, "samples/a.jpg",
                                 [](const client::FileInfo&) { return "/u"; });
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["account"], "demo");
  EXPECT_EQ(j["prefix"], "samples/");
  EXPECT_EQ(j["next_cursor"], "samples/a.jpg");
  const auto& e = j["files"][0];
  EXPECT_EQ(e["name"], "samples/a.jpg");
  EXPECT_EQ(e["size"], 3);
  EXPECT_EQ(e["type"], "image/jpeg");
  EXPECT_EQ(e["mtime"], "2026-01-01T00:00:00.123Z");
  EXPECT_EQ(e["etag"], f.hash.ToHex());
  EXPECT_EQ(e["durability"], "full");
  EXPECT_EQ(e["version"], 2);
  EXPECT_EQ(e["url"], "/u");
  EXPECT_EQ(EtagOf(f), "\"" + f.hash.ToHex() + "\"");
}

TEST(GalleryPageTest, ImagesAreLazyAndEverythingIsEscaped) {
  GalleryPage page;
  page.account = "demo";
  page.prefix = "<script>/";
  page.images.push_back(
      {"a\"b.jpg", "/v1/demo/a.jpg?x=1&y=2", "image/jpeg", 3});
  page.others.push_back(
      {"raw.cr3", "/v1/demo/raw.cr3", "image/x-canon-cr3", 5 << 20});
  page.next_url = "/gallery/demo/?cursor=a";
  std::string html = RenderGallery(page);
  EXPECT_THAT(html, HasSubstr("loading=\"lazy\""));
  EXPECT_THAT(html, HasSubstr("src=\"/v1/demo/a.jpg?x=1&amp;y=2\""));
  EXPECT_THAT(html, HasSubstr("a&quot;b.jpg"));
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  EXPECT_THAT(html, HasSubstr("raw.cr3"));
  EXPECT_THAT(html, HasSubstr("Next page"));
}

TEST(GalleryPageTest, OnlyBrowserImagesGoInTheGrid) {
  EXPECT_TRUE(BrowserDisplayableImage("image/jpeg"));
  EXPECT_TRUE(BrowserDisplayableImage("image/webp"));
  EXPECT_FALSE(BrowserDisplayableImage("image/svg+xml"));
  EXPECT_FALSE(BrowserDisplayableImage("image/x-canon-cr3"));
}

TEST(HttpErrorsTest, StatusCodesMapToHttp) {
  EXPECT_EQ(HttpStatusFor(absl::InvalidArgumentError("")), 400);
  EXPECT_EQ(HttpStatusFor(absl::UnauthenticatedError("")), 401);
  EXPECT_EQ(HttpStatusFor(absl::PermissionDeniedError("")), 403);
  EXPECT_EQ(HttpStatusFor(absl::NotFoundError("")), 404);
  EXPECT_EQ(HttpStatusFor(absl::AbortedError("")), 409);
  EXPECT_EQ(HttpStatusFor(absl::OutOfRangeError("")), 416);
  EXPECT_EQ(HttpStatusFor(absl::UnavailableError("")), 503);
  EXPECT_EQ(HttpStatusFor(absl::DataLossError("")), 502);
  EXPECT_EQ(HttpStatusFor(absl::InternalError("")), 500);
}

TEST(HttpErrorsTest, ErrorBodyIsJsonEvenForBadUtf8) {
  auto j = nlohmann::json::parse(ErrorJson(404, "no file \xff.jpg"));
  EXPECT_EQ(j["error"], "not_found");
  EXPECT_EQ(j["status"], 404);
  EXPECT_THAT(j["message"].get<std::string>(), HasSubstr("no file"));
}

TEST(UploadDigestTest, MatchingDigestsPass) {
  std::string body = "hello world";
  std::string md5 = absl::HexStringToBytes("5eb63bbbe01eeed093cb22bb8f5acdc3");
  ASSERT_OK_AND_ASSIGN(UploadDigests d,
                       UploadDigests::FromHeaders(ChunkId::Of(body).ToHex(),
                                                  absl::Base64Escape(md5)));
  EXPECT_TRUE(d.wants_md5());
  d.Update("hello ");
  d.Update("world");
  EXPECT_OK(d.Check(ChunkId::Of(body)));
}

TEST(UploadDigestTest, MismatchesSayWhich) {
  ASSERT_OK_AND_ASSIGN(UploadDigests x, UploadDigests::FromHeaders(
                                            ChunkId::Of("a").ToHex(), {}));
  EXPECT_THAT(x.Check(ChunkId::Of("b")),
              StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(
      UploadDigests m,
      UploadDigests::FromHeaders({}, absl::Base64Escape(std::string(16, 'x'))));
  m.Update("b");
  absl::Status s = m.Check(ChunkId::Of("b"));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(s.message()), HasSubstr("Content-MD5"));
}

TEST(UploadDigestTest, MalformedHeadersAreRefused) {
  EXPECT_THAT(UploadDigests::FromHeaders("xyz", {}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(UploadDigests::FromHeaders({}, "bm90IDE2IGJ5dGVz"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace drive::gateway
