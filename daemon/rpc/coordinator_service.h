#pragma once

#include "common/executor.h"
#include "common/metrics.h"
#include "daemon/coordinator/coordinator.h"
#include "daemon/coordinator/garbage_collector.h"
#include "daemon/coordinator/leader_gate.h"
#include "daemon/coordinator/maintenance.h"
#include "daemon/coordinator/metadata_backup.h"
#include "daemon/coordinator/node_transport.h"
#include "daemon/coordinator/repair_planner.h"
#include "daemon/rpc/request_limits.h"
#include "daemon/rpc/rpc_metrics.h"
#include "drive/v1/coordinator.grpc.pb.h"

namespace drive::rpc {

// gRPC front of the Coordinator (proto/drive/v1/coordinator.proto). Each
// method authenticates the bearer token, converts, calls one domain method
// on `executor` and converts back. Placement watches wait on `watch_executor`
// so they cannot starve ordinary calls. Not owned: all pointers must outlive
// the server.
// The operators' machinery behind the admin calls; not owned, any may be
// null (that call then fails with FAILED_PRECONDITION).
struct CoordinatorAdminDeps {
  // Leader-only operator requests (repair, GC, backup, drain, out) run
  // through it, fenced; a follower answers kUnavailable. Null: this
  // coordinator is always the leader (tests).
  const coordinator::LeaderGate* leader = nullptr;
  coordinator::RepairPlanner* planner = nullptr;
  coordinator::GarbageCollector* gc = nullptr;
  coordinator::MetadataBackup* backup = nullptr;
  coordinator::NodeTransport* nodes = nullptr;
  coordinator::Maintenance* maintenance = nullptr;
};

class CoordinatorServiceImpl final
    : public drive::v1::CoordinatorService::CallbackService {
 public:
  // Admin calls that run for long (sweeps, scrubs, GC, backups on demand)
  // use `long_executor`.
  CoordinatorServiceImpl(coordinator::Coordinator* coordinator,
                         Executor* executor, Executor* watch_executor,
                         MetricsRegistry* metrics,
                         CoordinatorAdminDeps admin = {},
                         Executor* long_executor = nullptr);

#define DRIVE_UNARY(Name, Req, Resp)                               \
  grpc::ServerUnaryReactor* Name(grpc::CallbackServerContext* ctx, \
                                 const drive::v1::Req* request,    \
                                 drive::v1::Resp* response) override;
  DRIVE_UNARY(RegisterNode, RegisterNodeRequest, RegisterNodeResponse)
  DRIVE_UNARY(Heartbeat, HeartbeatRequest, HeartbeatResponse)
  DRIVE_UNARY(GetPlacementMap, GetPlacementMapRequest, PlacementMapInfo)
  DRIVE_UNARY(GetDataToken, GetDataTokenRequest, GetDataTokenResponse)
  DRIVE_UNARY(CommitFiles, CommitFilesRequest, CommitFilesResponse)
  DRIVE_UNARY(StatFile, StatFileRequest, StatFileResponse)
  DRIVE_UNARY(ListFiles, ListFilesRequest, ListFilesResponse)
  DRIVE_UNARY(MoveFile, MoveFileRequest, MoveFileResponse)
  DRIVE_UNARY(DeleteFile, DeleteFileRequest, DeleteFileResponse)
  DRIVE_UNARY(ListTrash, ListTrashRequest, ListTrashResponse)
  DRIVE_UNARY(RestoreFile, RestoreFileRequest, RestoreFileResponse)
  DRIVE_UNARY(ReportBadReplica, ReportBadReplicaRequest,
              ReportBadReplicaResponse)
  DRIVE_UNARY(CreateAccount, CreateAccountRequest, CreateAccountResponse)
  DRIVE_UNARY(ClusterStatus, ClusterStatusRequest, ClusterStatusResponse)
  DRIVE_UNARY(SetDriveOut, SetDriveOutRequest, SetDriveOutResponse)
  // Admin calls of repair, scrub, GC and backups: coordinator_admin_service.cc.
  DRIVE_UNARY(Drain, DrainRequest, DrainResponse)
  DRIVE_UNARY(Repair, RepairRequest, RepairResponse)
  DRIVE_UNARY(Scrub, ClusterScrubRequest, ClusterScrubResponse)
  DRIVE_UNARY(ListPgs, ListPgsRequest, ListPgsResponse)
  DRIVE_UNARY(CollectGarbage, CollectGarbageRequest, CollectGarbageResponse)
  DRIVE_UNARY(ListAccounts, ListAccountsRequest, ListAccountsResponse)
  DRIVE_UNARY(BackupMetadata, BackupMetadataRequest, BackupMetadataResponse)
#undef DRIVE_UNARY

 private:
  // fn() as the cluster's leader (its metadata writes fenced to the term),
  // or kUnavailable without calling it on a follower: the operator work
  // that must have one author runs on the leader only.
  absl::Status AsLeader(const std::function<absl::Status()>& fn) const;
  using Work = std::function<absl::Status(const coordinator::Caller&)>;
  // Refuses at once a `request` over the method's size bound
  // (RESOURCE_EXHAUSTED), a call without a token (UNAUTHENTICATED) and one
  // beyond the budget of calls awaiting authentication
  // (RESOURCE_EXHAUSTED); then authenticates on the executor (token lookups
  // read RocksDB) and runs `work` with the caller.
  grpc::ServerUnaryReactor* Call(grpc::CallbackServerContext* ctx,
                                 const std::string& rpc,
                                 const google::protobuf::MessageLite& request,
                                 Work work, Executor* executor = nullptr);

  // Fills the repair, GC, backup and drain parts of a status.
  void FillMaintenance(drive::v1::ClusterStatusResponse* resp) const;

  coordinator::Coordinator* coordinator_;
  Executor* executor_;
  Executor* watch_executor_;
  RpcMetrics metrics_;
  CoordinatorAdminDeps admin_;
  Executor* long_executor_;
  PendingAuthBudget pending_auth_;
};

}  // namespace drive::rpc
