#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace drive {

// Largest chunk a file is cut into, and the largest value a node stores.
inline constexpr size_t kMaxChunkBytes = 4 * 1024 * 1024;

// The XXH3-128 of a chunk's raw bytes, used as its content address. Stored
// and sent as 16 bytes in canonical (big-endian) order, shown as 32 lower-case
// hex digits. A cheap value type.
class ChunkId {
 public:
  static constexpr size_t kBytes = 16;

  ChunkId() = default;

  // Hashes `data` (XXH3-128, AVX2/AVX-512 dispatch when the CPU has it).
  static ChunkId Of(absl::Span<const uint8_t> data);
  static ChunkId Of(std::string_view data);
  // Parses 16 canonical bytes; kInvalidArgument on any other length.
  static absl::StatusOr<ChunkId> FromBytes(std::string_view bytes);
  // Parses 32 hex digits; kInvalidArgument otherwise.
  static absl::StatusOr<ChunkId> FromHex(std::string_view hex);

  // The 16 canonical bytes.
  std::string_view bytes() const {
    return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
  }
  std::string ToHex() const;

  friend bool operator==(const ChunkId&, const ChunkId&) = default;
  friend auto operator<=>(const ChunkId&, const ChunkId&) = default;

  template <typename H>
  friend H AbslHashValue(H h, const ChunkId& id) {
    return H::combine(std::move(h), id.bytes());
  }

 private:
  std::array<uint8_t, kBytes> bytes_{};
};

// Incremental XXH3-128 over a stream (whole-file hashes). Not thread-safe.
class StreamHasher {
 public:
  StreamHasher();
  ~StreamHasher();
  StreamHasher(const StreamHasher&) = delete;
  StreamHasher& operator=(const StreamHasher&) = delete;

  void Update(absl::Span<const uint8_t> data);
  void Update(std::string_view data);
  // The hash of everything passed to Update so far.
  ChunkId Digest() const;

 private:
  void* state_;  // XXH3_state_t, kept opaque so xxhash stays out of headers.
};

}  // namespace drive
