#include "common/chunk_id.h"

#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"

// The dispatch header routes XXH3_* calls to the AVX2/AVX-512 variants that
// Debian's libxxhash exports; the plain symbols are SSE2 only, ~3x slower.
#include <xxh_x86dispatch.h>

namespace drive {
namespace {

ChunkId FromCanonical(const XXH128_hash_t& h) {
  XXH128_canonical_t canon;
  XXH128_canonicalFromHash(&canon, h);
  auto id = ChunkId::FromBytes(
      std::string_view(reinterpret_cast<const char*>(canon.digest), 16));
  return *id;
}

}  // namespace

ChunkId ChunkId::Of(absl::Span<const uint8_t> data) {
  return FromCanonical(XXH3_128bits(data.data(), data.size()));
}

ChunkId ChunkId::Of(std::string_view data) {
  return FromCanonical(XXH3_128bits(data.data(), data.size()));
}

absl::StatusOr<ChunkId> ChunkId::FromBytes(std::string_view bytes) {
  if (bytes.size() != kBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("chunk id must be 16 bytes, got ", bytes.size()));
  }
  ChunkId id;
  std::memcpy(id.bytes_.data(), bytes.data(), kBytes);
  return id;
}

absl::StatusOr<ChunkId> ChunkId::FromHex(std::string_view hex) {
  if (hex.size() != 2 * kBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("chunk id must be 32 hex digits, got ", hex.size()));
  }
  for (char c : hex) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
              (c >= 'A' && c <= 'F');
    if (!ok) return absl::InvalidArgumentError("chunk id is not hex");
  }
  return FromBytes(absl::HexStringToBytes(Sv(hex)));
}

std::string ChunkId::ToHex() const {
  return absl::BytesToHexString(Sv(bytes()));
}

StreamHasher::StreamHasher() : state_(XXH3_createState()) {
  XXH3_128bits_reset(static_cast<XXH3_state_t*>(state_));
}

StreamHasher::~StreamHasher() {
  XXH3_freeState(static_cast<XXH3_state_t*>(state_));
}

void StreamHasher::Update(absl::Span<const uint8_t> data) {
  XXH3_128bits_update(static_cast<XXH3_state_t*>(state_), data.data(),
                      data.size());
}

void StreamHasher::Update(std::string_view data) {
  XXH3_128bits_update(static_cast<XXH3_state_t*>(state_), data.data(),
                      data.size());
}

ChunkId StreamHasher::Digest() const {
  return FromCanonical(
      XXH3_128bits_digest(static_cast<const XXH3_state_t*>(state_)));
}

}  // namespace drive
