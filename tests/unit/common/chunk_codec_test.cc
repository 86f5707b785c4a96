#include "common/chunk_codec.h"

#include "common/chunk_id.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace drive {
namespace {

using ::drive::testing::RandomBytes;
using ::drive::testing::StatusIs;

std::string Compressible(size_t n) {
  std::string s;
  while (s.size() < n) s += "IMG_0001.CR3 exposure=1/250 iso=400 f/2.8; ";
  s.resize(n);
  return s;
}

std::string RoundTrip(const std::string& raw, ChunkCodec* codec = nullptr) {
  auto value = EncodeChunk(raw);
  EXPECT_OK(value);
  auto decoded = DecodeChunk(*value);
  EXPECT_OK(decoded);
  if (codec) *codec = decoded->header().codec;
  return std::string(decoded->raw());
}

TEST(ChunkCodecTest, CompressibleChunkIsStoredCompressedAndRoundTrips) {
  std::string raw = Compressible(1 << 20);
  ASSERT_OK_AND_ASSIGN(std::string value, EncodeChunk(raw));
  EXPECT_LT(value.size(), raw.size() / 4);
  ChunkCodec codec;
  EXPECT_EQ(RoundTrip(raw, &codec), raw);
  EXPECT_EQ(codec, ChunkCodec::kZstd);
}

TEST(ChunkCodecTest, IncompressibleChunkIsStoredRaw) {
  std::string raw = RandomBytes(1 << 20, 7);
  ASSERT_OK_AND_ASSIGN(std::string value, EncodeChunk(raw));
  EXPECT_EQ(value.size(), raw.size() + kChunkHeaderBytes);
  ChunkCodec codec;
  EXPECT_EQ(RoundTrip(raw, &codec), raw);
  EXPECT_EQ(codec, ChunkCodec::kNone);
}

TEST(ChunkCodecTest, EmptyChunkRoundTrips) {
  ASSERT_OK_AND_ASSIGN(std::string value, EncodeChunk(""));
  EXPECT_EQ(value.size(), kChunkHeaderBytes);
  EXPECT_EQ(RoundTrip(""), "");
}

TEST(ChunkCodecTest, ExactlyFourMiBRoundTrips) {
  std::string raw = RandomBytes(kMaxChunkBytes, 11);
  EXPECT_EQ(RoundTrip(raw), raw);
  std::string text = Compressible(kMaxChunkBytes);
  EXPECT_EQ(RoundTrip(text), text);
}

TEST(ChunkCodecTest, FourMiBPlusOneIsRejected) {
  EXPECT_THAT(EncodeChunk(std::string(kMaxChunkBytes + 1, 'x')),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ChunkCodecTest, CompressionNeedsTheMinimumSaving) {
  // Half random, half text: saves ~50%, so a 60% threshold stores it raw.
  std::string raw = Compressible(1 << 19) + RandomBytes(1 << 19, 3);
  ChunkCodecOptions strict;
  strict.min_saving = 0.6;
  strict.probe_bytes = 0;
  ASSERT_OK_AND_ASSIGN(std::string value, EncodeChunk(raw, strict));
  EXPECT_EQ(ParseChunkHeader(value)->codec, ChunkCodec::kNone);
  ChunkCodecOptions lax;
  lax.min_saving = 0.3;
  lax.probe_bytes = 0;
  ASSERT_OK_AND_ASSIGN(value, EncodeChunk(raw, lax));
  EXPECT_EQ(ParseChunkHeader(value)->codec, ChunkCodec::kZstd);
}

TEST(ChunkCodecTest, ProbeSkipsCompressionOfIncompressiblePrefix) {
  // Random first 64 KiB, text after: the probe gives up early by design.
  std::string raw = RandomBytes(64 * 1024, 5) + Compressible(1 << 20);
  ASSERT_OK_AND_ASSIGN(std::string value, EncodeChunk(raw));
  EXPECT_EQ(ParseChunkHeader(value)->codec, ChunkCodec::kNone);
}

TEST(ChunkCodecTest, TruncatedValueIsDataLoss) {
  ASSERT_OK_AND_ASSIGN(std::string value, EncodeChunk(RandomBytes(5000, 1)));
  value.pop_back();
  EXPECT_THAT(DecodeChunk(value), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(DecodeChunk(value.substr(0, 3)),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(ChunkCodecTest, CorruptCompressedPayloadIsDataLoss) {
  ASSERT_OK_AND_ASSIGN(std::string value, EncodeChunk(Compressible(100000)));
  ASSERT_EQ(ParseChunkHeader(value)->codec, ChunkCodec::kZstd);
  value[value.size() / 2] ^= 0x5a;
  auto decoded = DecodeChunk(value);
  // Either zstd notices, or the bytes differ and the id check catches it.
  if (decoded.ok()) {
    EXPECT_NE(ChunkId::Of(decoded->raw()), ChunkId::Of(Compressible(100000)));
  } else {
    EXPECT_THAT(decoded, StatusIs(absl::StatusCode::kDataLoss));
  }
}

TEST(ChunkCodecTest, UnknownVersionOrCodecIsDataLoss) {
  ASSERT_OK_AND_ASSIGN(std::string value, EncodeChunk("hello"));
  std::string bad_version = value;
  bad_version[0] = 9;
  EXPECT_THAT(DecodeChunk(bad_version), StatusIs(absl::StatusCode::kDataLoss));
  std::string bad_codec = value;
  bad_codec[1] = 7;
  EXPECT_THAT(DecodeChunk(bad_codec), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace drive
