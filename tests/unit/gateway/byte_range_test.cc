#include "daemon/gateway/byte_range.h"

#include "gtest/gtest.h"

namespace drive::gateway {
namespace {

using Kind = RangeRequest::Kind;
constexpr uint64_t kChunk = 4194304;

TEST(ByteRangeTest, ClosedRangeIsPartial) {
  RangeRequest r = ParseRange("bytes=0-99", 1000);
  EXPECT_EQ(r.kind, Kind::kPartial);
  EXPECT_EQ(r.range, (ByteRange{0, 99}));
  EXPECT_EQ(r.range.length(), 100u);
}

TEST(ByteRangeTest, OpenRangeRunsToTheEnd) {
  RangeRequest r = ParseRange("bytes=4194304-", 3 * kChunk);
  EXPECT_EQ(r.kind, Kind::kPartial);
  EXPECT_EQ(r.range, (ByteRange{kChunk, 3 * kChunk - 1}));
}

TEST(ByteRangeTest, LastPastTheEndIsClamped) {
  RangeRequest r = ParseRange("bytes=4194303-99999999", kChunk + 1);
  EXPECT_EQ(r.kind, Kind::kPartial);
  EXPECT_EQ(r.range, (ByteRange{kChunk - 1, kChunk}));
}

TEST(ByteRangeTest, SuffixRangeTakesTheLastBytes) {
  EXPECT_EQ(ParseRange("bytes=-500", 1000).range, (ByteRange{500, 999}));
  // Longer than the file: the whole file, still as a 206.
  RangeRequest r = ParseRange("bytes=-5000", 1000);
  EXPECT_EQ(r.kind, Kind::kPartial);
  EXPECT_EQ(r.range, (ByteRange{0, 999}));
}

TEST(ByteRangeTest, FirstAtOrPastTheEndIsUnsatisfiable) {
  EXPECT_EQ(ParseRange("bytes=1000-", 1000).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=1000-2000", 1000).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=0-0", 0).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=-0", 1000).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=99999999999999999999999-", 10).kind,
            Kind::kUnsatisfiable);
}

TEST(ByteRangeTest, SuffixOfAnEmptyFileServesItWhole) {
  EXPECT_EQ(ParseRange("bytes=-10", 0).kind, Kind::kWhole);
}

TEST(ByteRangeTest, MalformedHeadersAreIgnored) {
  for (const char* h :
       {"", "bytes", "bytes=", "bytes=abc", "bytes=5-2", "bytes=1-x",
        "items=0-1", "bytes=--1", "bytes=- 1x", "bytes=+1-2"}) {
    EXPECT_EQ(ParseRange(h, 1000).kind, Kind::kWhole) << h;
  }
}

TEST(ByteRangeTest, SeveralRangesAreServedWhole) {
  EXPECT_EQ(ParseRange("bytes=0-1,5-6", 1000).kind, Kind::kWhole);
}

TEST(ByteRangeTest, UnitAndSpacesAreLenient) {
  RangeRequest r = ParseRange(" Bytes = 10 - 19 ", 1000);
  EXPECT_EQ(r.kind, Kind::kPartial);
  EXPECT_EQ(r.range, (ByteRange{10, 19}));
}

TEST(ByteRangeTest, ContentRangeForms) {
  EXPECT_EQ(ContentRange({0, 99}, 1000), "bytes 0-99/1000");
  EXPECT_EQ(UnsatisfiedContentRange(1000), "bytes */1000");
}

}  // namespace
}  // namespace drive::gateway
