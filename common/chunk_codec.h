#pragma once

// The stored chunk value: an 8-byte header and the payload, zstd-compressed
// only when that saves space. Byte layout in docs/formats/chunk-value.md.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace drive {

inline constexpr uint8_t kChunkFormatVersion = 1;
inline constexpr size_t kChunkHeaderBytes = 8;

enum class ChunkCodec : uint8_t { kNone = 0, kZstd = 1 };

struct ChunkCodecOptions {
  // zstd level used when compressing, 1..19. Level 1 runs at ~1 GiB/s per
  // core here; higher levels cost more CPU than they save on photo formats.
  // Default: 1.
  int zstd_level = 1;
  // Compress only when the payload shrinks by at least this fraction of the
  // raw length, 0.0..1.0; below it the saved bytes do not pay for the CPU of
  // decompressing on every read. Default: 0.05.
  double min_saving = 0.05;
  // Before compressing a whole chunk, compress this many leading bytes and
  // give up if they do not reach min_saving; photos (JPEG, CR3) are already
  // compressed and would otherwise cost a full zstd pass each. 0 disables the
  // probe. Default: 65536.
  size_t probe_bytes = 64 * 1024;
};

// The parsed 8-byte header of a stored value.
struct ChunkHeader {
  uint8_t version = kChunkFormatVersion;
  ChunkCodec codec = ChunkCodec::kNone;
  uint32_t raw_length = 0;
};

// Encodes `raw` (at most kMaxChunkBytes; kInvalidArgument beyond) into a
// stored value, choosing the codec by the rules of `options`.
absl::StatusOr<std::string> EncodeChunk(std::string_view raw,
                                        const ChunkCodecOptions& options = {});

// Parses and checks the header of a stored value; kDataLoss when the value
// is shorter than a header, has an unknown version or codec, or claims more
// than kMaxChunkBytes.
absl::StatusOr<ChunkHeader> ParseChunkHeader(std::string_view value);

// A decoded value: a view into the stored value when it was not compressed,
// otherwise the decompressed bytes. Move-only, so the view stays valid.
class DecodedChunk {
 public:
  DecodedChunk(DecodedChunk&&) = default;
  DecodedChunk& operator=(DecodedChunk&&) = default;
  DecodedChunk(const DecodedChunk&) = delete;

  // The chunk's raw bytes. For an uncompressed value it points into the
  // string passed to DecodeChunk, which must outlive this object.
  std::string_view raw() const {
    return owned_ ? std::string_view(owned_buf_) : view_;
  }
  const ChunkHeader& header() const { return header_; }

 private:
  friend absl::StatusOr<DecodedChunk> DecodeChunk(std::string_view value);
  DecodedChunk() = default;
  ChunkHeader header_;
  bool owned_ = false;
  std::string owned_buf_;
  std::string_view view_;
};

// Decodes a stored value. kDataLoss when the header is bad, the payload is
// truncated or over-long, or decompression fails or yields the wrong length.
// Does not check the id: callers hash raw() against it.
absl::StatusOr<DecodedChunk> DecodeChunk(std::string_view value);

}  // namespace drive
