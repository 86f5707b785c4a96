#include "daemon/rpc/cluster_backup_sink.h"

#include "common/status_macros.h"

namespace drive::rpc {

ClusterBackupSink::ClusterBackupSink(std::string coordinator_address,
                                     std::string admin_token)
    : token_(std::move(admin_token)),
      address_(std::move(coordinator_address)) {}

absl::StatusOr<coordinator::FileRecord> ClusterBackupSink::StoreFile(
    const std::string& local_path, const std::string& remote_path) {
  client::DriveClient* c;
  {
    absl::MutexLock lock(&mu_);
    if (address_.empty()) {
      return absl::UnavailableError("the coordinator is not serving yet");
    }
    if (!client_) {
      client::ClientOptions o;
      o.coordinator = address_;
      o.token = token_;
      o.account = coordinator::kSystemAccount;
      DRIVE_ASSIGN_OR_RETURN(client_, client::DriveClient::Connect(o));
    }
    c = client_.get();
  }
  DRIVE_ASSIGN_OR_RETURN(client::FileInfo info,
                         c->PutFile(local_path, remote_path));
  coordinator::FileRecord f;
  f.path = info.path;
  f.size = info.size;
  f.hash = info.hash;
  for (const auto& ch : info.chunks) {
    coordinator::ChunkRef r;
    r.id = ch.id;
    r.size = ch.size;
    for (const auto& rep : ch.replicas) r.replicas.push_back(rep.drive);
    f.chunks.push_back(std::move(r));
  }
  return f;
}

}  // namespace drive::rpc
