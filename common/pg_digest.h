#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "common/chunk_id.h"

namespace drive {

// An order-independent summary of the chunk set one drive holds for one PG:
// how many chunks, their raw bytes, and the XOR over every chunk of
// XXH3-128(alen, account, id). Two drives with equal digests hold the same
// chunks (a collision needs a crafted set, and chunk ids already are
// XXH3 hashes of the data); different digests tell anti-entropy which PGs it
// must list. Adding and removing a chunk are O(1), so the node keeps every
// PG's digest in memory (docs/formats/pg-digest.md). A value type.
struct PgDigest {
  uint64_t chunks = 0;
  uint64_t bytes = 0;
  std::array<uint8_t, ChunkId::kBytes> hash{};

  void Add(std::string_view account, const ChunkId& id, uint64_t raw_length);
  void Remove(std::string_view account, const ChunkId& id, uint64_t raw_length);
  std::string_view hash_bytes() const {
    return {reinterpret_cast<const char*>(hash.data()), hash.size()};
  }
  friend bool operator==(const PgDigest&, const PgDigest&) = default;
};

}  // namespace drive
