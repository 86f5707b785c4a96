#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/chunk_id.h"

namespace drive::coordinator {

// One chunk of a file and the drives that held a verified copy of it.
struct ChunkRef {
  ChunkId id;
  uint64_t size = 0;
  std::vector<std::string> replicas;  // drive ids "node/drive"
};

// A committed file's manifest (docs/formats/coordinator-keys.md).
struct FileRecord {
  std::string path;
  uint64_t size = 0;
  int64_t mtime_ms = 0;
  std::string content_type;
  std::vector<ChunkRef> chunks;
  ChunkId hash;            // XXH3-128 of the whole file
  uint64_t version = 0;    // 1 for a new path, +1 per overwrite
  std::string durability;  // "geo" or "full"
  int64_t committed_ms = 0;
};

// A deleted (or overwritten) file kept for restore until purge_after_ms.
struct TrashRecord {
  std::string trash_id;
  FileRecord file;  // as it was, with its original path
  int64_t deleted_ms = 0;
  int64_t purge_after_ms = 0;
};

// JSON encodings stored in the coordinator's RocksDB. Decoding fails with
// kDataLoss on anything unreadable.
std::string EncodeFileRecord(const FileRecord& f);
absl::StatusOr<FileRecord> DecodeFileRecord(std::string_view v);
std::string EncodeTrashRecord(const TrashRecord& t);
absl::StatusOr<TrashRecord> DecodeTrashRecord(std::string_view v);

}  // namespace drive::coordinator
