#pragma once

// RocksDB key layout of a drive (docs/formats/drive-keys.md). Every chunk has
// two records that are written and deleted in one batch:
//   'c' pg:u16be alen:u8 account id:16  -> stored chunk value (BlobDB)
//   'i' pg:u16be alen:u8 account id:16  -> chunk index entry (small, in SST)
// PG first lets anti-entropy scan one PG of all accounts; the length-prefixed
// account keeps (pg, account) a clean prefix for listing.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/chunk_id.h"

namespace drive::storage {

inline constexpr char kChunkValueTag = 'c';
inline constexpr char kChunkIndexTag = 'i';
// Evidence of a copy the scrubber found corrupt (same key layout).
inline constexpr char kQuarantineTag = 'q';
// Drive-wide settings, e.g. "m/pg_count"; every meta key starts with "m/".
inline constexpr std::string_view kMetaPrefix = "m/";
inline constexpr std::string_view kMetaPgCountKey = "m/pg_count";

// Key of a chunk record with `tag`. account must be valid (1..63 bytes).
std::string ChunkKey(char tag, uint32_t pg, std::string_view account,
                     const ChunkId& id);
// Prefix shared by all records with `tag` of (pg, account).
std::string ChunkKeyPrefix(char tag, uint32_t pg, std::string_view account);
// The chunk id at the end of a key built by ChunkKey; kDataLoss when the key
// is malformed.
absl::StatusOr<ChunkId> ChunkIdFromKey(std::string_view key);

// All fields of a chunk key; kDataLoss when it is malformed.
struct ParsedChunkKey {
  char tag = 0;
  uint32_t pg = 0;
  std::string account;
  ChunkId id;
};
absl::StatusOr<ParsedChunkKey> ParseChunkKey(std::string_view key);
// Prefix of every record with `tag` in one PG, over all accounts.
std::string PgKeyPrefix(char tag, uint32_t pg);

// Small record stored under the 'i' key: what List, Has and stats need
// without touching the blob.
struct ChunkIndexEntry {
  uint32_t raw_length = 0;       // bytes of the chunk
  uint32_t stored_length = 0;    // bytes of the stored value (header + payload)
  int64_t stored_at_unix_s = 0;  // when this drive stored the copy
};
std::string EncodeIndexEntry(const ChunkIndexEntry& e);
// kDataLoss when the record is not a valid index entry.
absl::StatusOr<ChunkIndexEntry> DecodeIndexEntry(std::string_view v);

}  // namespace drive::storage
