#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/chunk_id.h"
#include "daemon/coordinator/file_record.h"
#include "daemon/coordinator/meta_store.h"

namespace drive::coordinator {

// How many file versions (committed files and trash entries) reference a
// chunk of an account, and since when none has.
struct RefState {
  bool known = false;  // the coordinator has ever seen the chunk committed
  uint64_t count = 0;
  int64_t zero_since_ms = 0;  // when count last dropped to 0
};

// Garbage collection's record of a condemned chunk. While it exists, a
// commit relying on copies of the chunk that a writer found before the
// deletion finished is refused (Namespace::Commit).
struct Tombstone {
  int64_t condemned_ms = 0;
  int64_t completed_ms = 0;  // 0 while deletes are outstanding
};

// The chunk reference index and GC tombstones in the coordinator's store
// (keys r/ and g/, docs/formats/coordinator-keys.md). Changes are staged
// and written into the caller's batch, so they commit atomically with the
// namespace change that caused them. Not thread-safe: the Namespace calls
// it under its write lock; Get/GetTombstone may run concurrently with that.
class ChunkRefs {
 public:
  explicit ChunkRefs(MetaStore* store) : store_(store) {}

  // Adds `delta` (+1 commit, -1 purge) for every chunk occurrence of `f`.
  void Stage(const std::string& account, const FileRecord& f, int delta);
  // Reads the staged chunks' counts, applies the deltas into `batch` and
  // clears the stage. A count reaching 0 records now_ms as zero_since.
  // kInternal if a count would go below 0 (a bug).
  absl::Status Flush(MetaBatch* batch, int64_t now_ms);
  void ClearStage() { staged_.clear(); }

  absl::StatusOr<RefState> Get(const std::string& account, const ChunkId& id);
  absl::StatusOr<std::optional<Tombstone>> GetTombstone(
      const std::string& account, const ChunkId& id);
  void PutTombstone(const std::string& account, const ChunkId& id,
                    const Tombstone& t, MetaBatch* batch);
  void DeleteTombstone(const std::string& account, const ChunkId& id,
                       MetaBatch* batch);
  void DeleteRef(const std::string& account, const ChunkId& id,
                 MetaBatch* batch);
  // Every chunk some file version references (count > 0), in key order,
  // until `fn` returns false. kDataLoss on an unreadable entry.
  absl::Status ScanReferenced(
      const std::function<bool(const std::string&, const ChunkId&)>& fn);
  // Every tombstone, in key order: (account, id, tombstone).
  absl::Status ScanTombstones(
      const std::function<bool(const std::string&, const ChunkId&,
                               const Tombstone&)>& fn);

  // Rebuilds every count from the f/ and t/ records when the store has no
  // index yet (a coordinator from before the index existed). Idempotent.
  absl::Status BuildIfMissing();

 private:
  MetaStore* store_;
  std::map<std::pair<std::string, ChunkId>, int64_t> staged_;
};

}  // namespace drive::coordinator
