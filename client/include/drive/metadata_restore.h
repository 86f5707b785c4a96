#pragma once

// Rebuilding a lost coordinator from the metadata backups the coordinator
// keeps in the cluster (docs/formats/metadata-backup.md). Works with no
// coordinator at all: storage nodes keep the backup records, and the
// record says where every chunk of the backup lives. Used by
// `drive-admin metadata list|restore`.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace drive::client {

struct BackupSummary {
  std::string id;  // sorts by time
  int64_t created_ms = 0;
  uint64_t files = 0;
  uint64_t bytes = 0;
};

struct RestoreOptions {
  // Storage nodes to ask for backup records (HOST:PORT), any live ones.
  std::vector<std::string> nodes;
  std::string cluster_token;
  // Directory to create the coordinator's database in; must not exist.
  std::string data_dir;
  // Backup to restore; empty: the newest any node has.
  std::string backup_id;
};

struct RestoreReport {
  BackupSummary backup;
  uint64_t chunks_read = 0;
  uint64_t bad_copies_skipped = 0;
};

// Backups the nodes know, newest first, without duplicates.
absl::StatusOr<std::vector<BackupSummary>> ListMetadataBackups(
    const std::vector<std::string>& nodes, const std::string& cluster_token);

// Writes the chosen backup's files into data_dir, every chunk and every
// file verified against its XXH3-128 and fsynced; the directory appears
// only once complete. Errors: kAlreadyExists (data_dir exists), kNotFound
// (no backup), kDataLoss (no good copy of some chunk). Blocks.
absl::StatusOr<RestoreReport> RestoreMetadata(const RestoreOptions& options);

}  // namespace drive::client
