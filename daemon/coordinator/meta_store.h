#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace drive::coordinator {

// Revisions (both backends, docs/architecture.md "Metadata backends"):
// the store has one revision counter; every Write that changes something
// raises it by one, and every key the write puts gets that revision as its
// mod revision. A key's revision is 0 exactly when the key is absent, and
// a key's revision changes whenever it is put, deleted or re-created, so
// "revision still R" means "nobody wrote the key since I read it at R".
// Revisions of one store only: they are not comparable across stores, and
// a checkpoint's copy starts a history of its own.
inline constexpr int64_t kAbsentRevision = 0;

// A key's value with its mod revision (> 0).
struct MetaRecord {
  std::string value;
  int64_t revision = 0;
};

// One key of a scan; the views live until the callback returns.
struct MetaEntry {
  std::string_view key;
  std::string_view value;
  int64_t revision = 0;
};

// Puts, deletes and conditions applied together by MetaStore::Write. When
// the batch touches a key twice, the later operation wins (as in one
// RocksDB WriteBatch).
class MetaBatch {
 public:
  struct Op {
    std::string key;
    std::string value;
    bool del = false;
  };
  // The batch applies only if `key`'s mod revision is `revision` when it is
  // applied; kAbsentRevision requires the key to be absent.
  struct Condition {
    std::string key;
    int64_t revision = kAbsentRevision;
  };

  void Put(std::string key, std::string value) {
    ops_.push_back({std::move(key), std::move(value), false});
  }
  void Delete(std::string key) { ops_.push_back({std::move(key), "", true}); }
  void RequireRevision(std::string key, int64_t revision) {
    conditions_.push_back({std::move(key), revision});
  }
  void RequireAbsent(std::string key) {
    RequireRevision(std::move(key), kAbsentRevision);
  }
  bool empty() const { return ops_.empty() && conditions_.empty(); }

  const std::vector<Op>& ops() const { return ops_; }
  const std::vector<Condition>& conditions() const { return conditions_; }
  // The ops with only the last op of each key kept, in key order.
  std::vector<Op> FinalOps() const;

 private:
  std::vector<Op> ops_;
  std::vector<Condition> conditions_;
};

// What one Write may carry. A batch beyond either limit is refused with
// kResourceExhausted before anything is sent or applied; batches are never
// split (that would make one commit visible in parts).
struct MetaLimits {
  // Operations (distinct keys written) per Write, and separately conditions
  // per Write. 0: no limit. etcd's --max-txn-ops default is 128.
  int max_ops = 0;
  // Encoded size of one Write in bytes, keys and values included, as the
  // backend measures it. 0: no limit. etcd's --max-request-bytes default
  // is 1.5 MiB.
  int64_t max_bytes = 0;
};

// Checks shared by the backends before a Commit: kInvalidArgument for an
// empty key or one starting with NUL, kResourceExhausted when the batch's
// final ops or its conditions outnumber limits.max_ops (sizes are measured
// by each backend). `final_ops` is batch.FinalOps().
absl::Status CheckBatch(const MetaBatch& batch,
                        const std::vector<MetaBatch::Op>& final_ops,
                        const MetaLimits& limits);
// kInvalidArgument for a key callers may not use (empty, or NUL first).
absl::Status CheckKey(std::string_view key);

// The coordinator's metadata: nodes, epochs, accounts, tokens, files. Key
// layout in docs/formats/coordinator-keys.md; keys are non-empty and never
// start with a NUL byte (reserved for the backends). Two backends:
// EmbeddedMetaStore (RocksDB in the coordinator's --data directory) and
// EtcdMetaStore (daemon/etcd/). Implementations are thread-safe and every
// call blocks.
class MetaStore {
 public:
  virtual ~MetaStore() = default;

  // The value and mod revision of `key`, or nullopt when it is absent.
  // kUnavailable when the backend cannot be reached.
  virtual absl::StatusOr<std::optional<MetaRecord>> Read(
      std::string_view key) = 0;

  // Applies the batch atomically when every condition holds, durably (an
  // acknowledged write survives a crash of the coordinator, and on etcd of
  // a minority of members), and returns the store's revision after it.
  // Errors, with nothing applied:
  //  - kAborted: a condition did not hold (re-read and retry);
  //  - kResourceExhausted: the batch exceeds limits();
  //  - kInvalidArgument: an empty key or one starting with NUL;
  //  - kUnavailable: the backend did not answer. On etcd the write may then
  //    have been applied or not; conditions make a retry safe.
  virtual absl::StatusOr<int64_t> Commit(const MetaBatch& batch) = 0;

  // Calls fn(entry) in key order for keys starting with `prefix` and >=
  // `start` (empty: from the prefix), until fn returns false. All entries
  // come from one consistent state of the store (one revision), however
  // many pages the backend reads. kAborted when that state was compacted
  // away on etcd before the scan finished (retry the scan).
  virtual absl::Status ScanEntries(
      std::string_view prefix, std::string_view start,
      const std::function<bool(const MetaEntry&)>& fn) = 0;

  // Writes a consistent copy of the whole store (one revision) into `dir`,
  // which must not exist, as an embedded store that EmbeddedMetaStore::Open
  // opens. Revisions are not carried over. Blocks for a while.
  virtual absl::Status Checkpoint(const std::string& dir) = 0;

  // What one Commit may carry.
  virtual MetaLimits limits() const = 0;

  // The checks Commit makes before sending anything: kInvalidArgument for
  // a bad key, kResourceExhausted (naming the limit) when `batch` is beyond
  // limits(); OK when Commit would send it. Nothing is sent or applied, so
  // callers can size their writes to the backend (Namespace does). The
  // default checks key and condition counts only (CheckBatch).
  virtual absl::Status CheckLimits(const MetaBatch& batch) const;

  // Shorthands for callers that ignore revisions.
  absl::StatusOr<std::optional<std::string>> Get(std::string_view key);
  absl::Status Write(const MetaBatch& batch);
  absl::Status Scan(
      std::string_view prefix, std::string_view start,
      const std::function<bool(std::string_view, std::string_view)>& fn);
  // Writes applied through Write() on this object so far, counted once each
  // is visible: a scan that began after reading n saw every such write,
  // unless the count is above n now. (Writes by other processes sharing
  // the backend are not counted.)
  uint64_t writes() const { return writes_.load(); }

 private:
  std::atomic<uint64_t> writes_{0};
};

}  // namespace drive::coordinator
