#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/env.h"
#include "daemon/coordinator/file_record.h"
#include "daemon/coordinator/meta_store.h"
#include "daemon/coordinator/namespace.h"
#include "daemon/coordinator/node_registry.h"
#include "daemon/coordinator/node_transport.h"

namespace drive::coordinator {

// The account that holds the coordinator's own files (metadata backups).
// Reserved: CreateAccount refuses it.
inline constexpr char kSystemAccount[] = "drive-system";

// Writes one local file into the cluster as a committed file of the system
// account (six copies like any file) and returns its record with chunk ids
// and the drives holding them. Implementations are thread-safe; blocks.
class BackupSink {
 public:
  virtual ~BackupSink() = default;
  virtual absl::StatusOr<FileRecord> StoreFile(
      const std::string& local_path, const std::string& remote_path) = 0;
};

struct BackupOptions {
  // Scratch directory for checkpoints (emptied after each backup).
  std::string scratch_dir;
  // Retention: the newest backup of each of the last keep_daily days and
  // of each of the last keep_monthly months, and always the newest one.
  // Defaults: 7 and 12.
  int keep_daily = 7;
  int keep_monthly = 12;
};

struct BackupInfoDomain {
  std::string id;
  int64_t unix_ms = 0;
  uint64_t bytes = 0;
  uint32_t kept = 0;
  std::string error;
};

// The backups to keep among `ids` (backup ids "YYYYMMDDTHHMMSSZ...", which
// sort by time), by the retention rules of BackupOptions. Pure.
std::vector<std::string> BackupsToKeep(std::vector<std::string> ids,
                                       int keep_daily, int keep_monthly);

// Backs up the coordinator's store into the cluster itself. Outline:
//   1. a RocksDB checkpoint of the whole store (consistent at one instant);
//   2. each checkpoint file becomes a file backups/<id>/<name> of the system
//      account, stored and committed like any upload (six copies, scrubbed
//      and repaired like everything else);
//   3. a backup record (docs/formats/metadata-backup.md) naming every
//      file's chunks, the drives that hold them and every drive's address
//      is written to every live drive, so `drive-admin metadata restore`
//      finds and reads the backup with no coordinator at all;
//   4. backups beyond the retention are removed (their files, then their
//      records on the drives).
// What a restore loses is what changed after the backup it uses: at most
// one backup interval of commits, deletes and account changes.
// Thread-safe; runs are serialized. Nothing is owned.
class MetadataBackup {
 public:
  MetadataBackup(MetaStore* store, Namespace* ns, NodeRegistry* registry,
                 NodeTransport* transport, BackupSink* sink, Env* env,
                 BackupOptions options);

  // Takes a backup now. Blocks.
  absl::StatusOr<BackupInfoDomain> Run();
  BackupInfoDomain last() const;

 private:
  MetaStore* store_;
  Namespace* ns_;
  NodeRegistry* registry_;
  NodeTransport* transport_;
  BackupSink* sink_;
  Env* env_;
  BackupOptions options_;
  absl::Mutex run_mu_;
  mutable absl::Mutex mu_;
  BackupInfoDomain last_ ABSL_GUARDED_BY(mu_);
};

}  // namespace drive::coordinator
