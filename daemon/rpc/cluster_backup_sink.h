#pragma once

#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "daemon/coordinator/metadata_backup.h"
#include "drive/client.h"

namespace drive::rpc {

// Stores backup files through the client library, as the system account,
// against this coordinator's own gRPC address: the same write path,
// quorum and commit rules as every upload. Connects on first use (the
// cluster may have no map yet at start). Thread-safe.
class ClusterBackupSink final : public coordinator::BackupSink {
 public:
  ClusterBackupSink(std::string coordinator_address, std::string admin_token);
  // Sets the coordinator address (known only once the server is bound).
  void SetAddress(std::string address) {
    absl::MutexLock lock(&mu_);
    address_ = std::move(address);
  }
  absl::StatusOr<coordinator::FileRecord> StoreFile(
      const std::string& local_path, const std::string& remote_path) override;

 private:
  std::string token_;
  absl::Mutex mu_;
  std::string address_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<client::DriveClient> client_ ABSL_GUARDED_BY(mu_);
};

}  // namespace drive::rpc
