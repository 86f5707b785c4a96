#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "daemon/coordinator/meta_store.h"

namespace rocksdb {
class DB;
}  // namespace rocksdb

namespace drive::coordinator {

struct EmbeddedMetaOptions {
  // Limits Commit enforces. The embedded store has none of its own; the
  // contract tests set etcd's here so both backends refuse alike.
  // Default: none.
  MetaLimits limits;
};

// The MetaStore in a RocksDB directory of the coordinator (one machine).
// Values are stored under their keys unchanged; revisions live beside them
// under keys starting with NUL (docs/formats/coordinator-keys.md), written
// in the same WriteBatch. A key without a revision record (written before
// revisions existed) has revision 1. Writes are serialized by one mutex,
// which makes checking conditions and applying the batch one atomic step.
// Thread-safe.
class EmbeddedMetaStore final : public MetaStore {
 public:
  // Opens or creates the store at `path`.
  static absl::StatusOr<std::unique_ptr<EmbeddedMetaStore>> Open(
      const std::string& path, EmbeddedMetaOptions options = {});
  ~EmbeddedMetaStore() override;

  absl::StatusOr<std::optional<MetaRecord>> Read(std::string_view key) override;
  // fsyncs the WAL before returning.
  absl::StatusOr<int64_t> Commit(const MetaBatch& batch) override;
  absl::Status ScanEntries(
      std::string_view prefix, std::string_view start,
      const std::function<bool(const MetaEntry&)>& fn) override;
  // A RocksDB checkpoint (SST files, no WAL). Revisions come along.
  absl::Status Checkpoint(const std::string& dir) override;
  MetaLimits limits() const override { return options_.limits; }
  absl::Status CheckLimits(const MetaBatch& batch) const override;

 private:
  // CheckLimits on the batch's FinalOps().
  absl::Status CheckOps(const MetaBatch& batch,
                        const std::vector<MetaBatch::Op>& ops) const;
  EmbeddedMetaStore(std::unique_ptr<rocksdb::DB> db, int64_t revision,
                    EmbeddedMetaOptions options);
  // The revision of `key` now (kAbsentRevision when absent).
  absl::StatusOr<int64_t> CurrentRevision(std::string_view key)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  std::unique_ptr<rocksdb::DB> db_;
  const EmbeddedMetaOptions options_;
  absl::Mutex write_mu_;
  int64_t revision_ ABSL_GUARDED_BY(write_mu_);
};

}  // namespace drive::coordinator
