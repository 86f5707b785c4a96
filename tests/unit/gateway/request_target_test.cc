#include "daemon/gateway/request_target.h"

#include "common/percent_encoding.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace drive::gateway {
namespace {

using ::drive::testing::StatusIs;
using Kind = Route::Kind;

absl::StatusOr<Route> RouteOf(const std::string& raw) {
  auto t = ParseTarget(raw);
  if (!t.ok()) return t.status();
  return ParseRoute(*t);
}

TEST(RequestTargetTest, DecodesPathAndQuery) {
  ASSERT_OK_AND_ASSIGN(
      Target t, ParseTarget("/v1/demo/a%20b/%C3%A9.jpg?prefix=x%2Fy&share"));
  EXPECT_EQ(t.path, "/v1/demo/a b/\xC3\xA9.jpg");
  EXPECT_EQ(t.get("prefix"), "x/y");
  EXPECT_TRUE(t.has("share"));
  EXPECT_EQ(t.get("share"), "");
  EXPECT_EQ(t.get("missing", "dflt"), "dflt");
}

TEST(RequestTargetTest, AbsoluteFormIsReducedToItsPath) {
  ASSERT_OK_AND_ASSIGN(Target t, ParseTarget("http://gw:8080/healthz"));
  EXPECT_EQ(t.path, "/healthz");
}

TEST(RequestTargetTest, HostileTargetsAreInvalid) {
  for (const char* raw :
       {"v1/demo/x", "/v1/demo/a%2Fb", "/v1/demo/a%2fb", "/v1/demo/a%5Cb",
        "/v1/demo/%00", "/v1/demo/x?y=%00", "/v1/demo/%zz", "/v1/demo/%4",
        "/v1/demo/../other/x", "/v1/demo/%2e%2e/other/x", "/v1/%2E/x",
        "/v1/demo/x#frag", "/v1/demo/x?a=1&a=2"}) {
    EXPECT_THAT(ParseTarget(raw), StatusIs(absl::StatusCode::kInvalidArgument))
        << raw;
  }
}

TEST(RequestTargetTest, RoutesFilesListingsAndGalleries) {
  ASSERT_OK_AND_ASSIGN(Route f, RouteOf("/v1/demo/samples/Aqua.jpg"));
  EXPECT_EQ(f.kind, Kind::kFile);
  EXPECT_EQ(f.account, "demo");
  EXPECT_EQ(f.path, "samples/Aqua.jpg");

  ASSERT_OK_AND_ASSIGN(Route l, RouteOf("/v1/demo/"));
  EXPECT_EQ(l.kind, Kind::kListing);
  EXPECT_EQ(l.path, "");
  ASSERT_OK_AND_ASSIGN(Route l2, RouteOf("/v1/demo"));
  EXPECT_EQ(l2.kind, Kind::kListing);
  ASSERT_OK_AND_ASSIGN(Route l3, RouteOf("/v1/demo/samples/"));
  EXPECT_EQ(l3.kind, Kind::kListing);
  EXPECT_EQ(l3.path, "samples/");

  ASSERT_OK_AND_ASSIGN(Route g, RouteOf("/gallery/demo/samples/"));
  EXPECT_EQ(g.kind, Kind::kGallery);
  EXPECT_EQ(g.path, "samples/");
  ASSERT_OK_AND_ASSIGN(Route h, RouteOf("/healthz"));
  EXPECT_EQ(h.kind, Kind::kHealthz);
  ASSERT_OK_AND_ASSIGN(Route m, RouteOf("/metrics"));
  EXPECT_EQ(m.kind, Kind::kMetrics);
}

TEST(RequestTargetTest, BadAccountsAndPathsAreInvalid) {
  EXPECT_THAT(RouteOf("/v1/Demo!/x"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(RouteOf("/v1/demo/a//b"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(RouteOf("/v1/demo/" + std::string(2000, 'x')),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(RouteOf("/v1/demo/a%01b"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RequestTargetTest, UnknownEndpointsAreNotFound) {
  EXPECT_THAT(RouteOf("/"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(RouteOf("/v2/demo/x"), StatusIs(absl::StatusCode::kNotFound));
}

TEST(RequestTargetTest, EncodingRoundTrips) {
  std::string path = "sessions/smith & co/IMG 1?#%.jpg";
  EXPECT_EQ(PercentEncodePath(path),
            "sessions/smith%20%26%20co/IMG%201%3F%23%25.jpg");
  ASSERT_OK_AND_ASSIGN(Target t,
                       ParseTarget("/v1/demo/" + PercentEncodePath(path)));
  EXPECT_EQ(t.path, "/v1/demo/" + path);
  EXPECT_EQ(PercentEncodeQueryValue("a/b c"), "a%2Fb%20c");
}

}  // namespace
}  // namespace drive::gateway
