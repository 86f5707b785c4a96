#include "daemon/storage/chunk_key.h"

#include "common/bytes.h"
#include "common/status_macros.h"

namespace drive::storage {
namespace {
constexpr size_t kIndexEntryBytes = 1 + 4 + 4 + 8;  // version, 2 x u32, i64
constexpr uint8_t kIndexEntryVersion = 1;
}  // namespace

std::string ChunkKeyPrefix(char tag, uint32_t pg, std::string_view account) {
  std::string key;
  key.reserve(4 + account.size() + ChunkId::kBytes);
  key.push_back(tag);
  AppendBE16(&key, static_cast<uint16_t>(pg));
  key.push_back(static_cast<char>(account.size()));
  key.append(account);
  return key;
}

std::string ChunkKey(char tag, uint32_t pg, std::string_view account,
                     const ChunkId& id) {
  std::string key = ChunkKeyPrefix(tag, pg, account);
  key.append(id.bytes());
  return key;
}

absl::StatusOr<ChunkId> ChunkIdFromKey(std::string_view key) {
  if (key.size() < 4 + ChunkId::kBytes ||
      key.size() != 4 + static_cast<uint8_t>(key[3]) + ChunkId::kBytes) {
    return absl::DataLossError("malformed chunk key");
  }
  return ChunkId::FromBytes(key.substr(key.size() - ChunkId::kBytes));
}

absl::StatusOr<ParsedChunkKey> ParseChunkKey(std::string_view key) {
  DRIVE_ASSIGN_OR_RETURN(ChunkId id, ChunkIdFromKey(key));
  ParsedChunkKey k;
  k.tag = key[0];
  k.pg = LoadBE16(key.data() + 1);
  k.account = std::string(key.substr(4, static_cast<uint8_t>(key[3])));
  k.id = id;
  return k;
}

std::string PgKeyPrefix(char tag, uint32_t pg) {
  std::string key(1, tag);
  AppendBE16(&key, static_cast<uint16_t>(pg));
  return key;
}

std::string EncodeIndexEntry(const ChunkIndexEntry& e) {
  std::string v(kIndexEntryBytes, '\0');
  v[0] = static_cast<char>(kIndexEntryVersion);
  StoreLE32(v.data() + 1, e.raw_length);
  StoreLE32(v.data() + 5, e.stored_length);
  uint64_t t = static_cast<uint64_t>(e.stored_at_unix_s);
  StoreLE32(v.data() + 9, static_cast<uint32_t>(t));
  StoreLE32(v.data() + 13, static_cast<uint32_t>(t >> 32));
  return v;
}

absl::StatusOr<ChunkIndexEntry> DecodeIndexEntry(std::string_view v) {
  if (v.size() != kIndexEntryBytes ||
      static_cast<uint8_t>(v[0]) != kIndexEntryVersion) {
    return absl::DataLossError("malformed chunk index entry");
  }
  ChunkIndexEntry e;
  e.raw_length = LoadLE32(v.data() + 1);
  e.stored_length = LoadLE32(v.data() + 5);
  uint64_t t = LoadLE32(v.data() + 9) |
               (static_cast<uint64_t>(LoadLE32(v.data() + 13)) << 32);
  e.stored_at_unix_s = static_cast<int64_t>(t);
  return e;
}

}  // namespace drive::storage
