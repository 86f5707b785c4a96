#include "daemon/coordinator/bad_replica_checker.h"

#include "daemon/coordinator/coordinator.h"
#include "spdlog/spdlog.h"

namespace drive::coordinator {

BadReplicaChecker::BadReplicaChecker(NodeRegistry* registry,
                                     NodeTransport* nodes, Executor* executor,
                                     Env* env, BadReportOptions options)
    : registry_(registry),
      nodes_(nodes),
      executor_(executor),
      gate_(env, options) {}

void BadReplicaChecker::HandleReportsOf(Coordinator* coordinator) {
  coordinator->SetBadReportHandler(
      [this](const std::string& caller, const std::string& account,
             const ChunkId& id, const std::string& drive_id) {
        return Report(caller, account, id, drive_id);
      });
}

BadReportVerdict BadReplicaChecker::Report(const std::string& caller,
                                           const std::string& account,
                                           const ChunkId& id,
                                           const std::string& drive_id) {
  BadReportVerdict v = gate_.Admit(caller, drive_id, account, id);
  if (v == BadReportVerdict::kCheck) {
    executor_->Schedule([this, account, id, drive_id] {
      Check(account, id, drive_id);
      gate_.Finished(drive_id, account, id);
    });
  }
  return v;
}

void BadReplicaChecker::Check(const std::string& account, const ChunkId& id,
                              const std::string& drive_id) {
  auto view = registry_->View();
  const DriveView* d = view->Find(drive_id);
  if (d == nullptr || !d->alive) return;
  auto r = nodes_->Verify(*d, account, {id});
  spdlog::info(
      "event=bad_replica_verified drive={} chunk={} result=\"{}\"", drive_id,
      id.ToHex(),
      r.ok() && !r->empty() ? (*r)[0].ToString() : r.status().ToString());
}

}  // namespace drive::coordinator
