#pragma once

#include "common/executor.h"
#include "common/metrics.h"
#include "daemon/coordinator/coordinator.h"
#include "daemon/rpc/rpc_metrics.h"
#include "drive/v1/coordinator.grpc.pb.h"

namespace drive::rpc {

// gRPC front of the Coordinator (proto/drive/v1/coordinator.proto). Each
// method authenticates the bearer token, converts, calls one domain method
// on `executor` and converts back. Placement watches wait on `watch_executor`
// so they cannot starve ordinary calls. Not owned: all pointers must outlive
// the server.
class CoordinatorServiceImpl final
    : public drive::v1::CoordinatorService::CallbackService {
 public:
  CoordinatorServiceImpl(coordinator::Coordinator* coordinator,
                         Executor* executor, Executor* watch_executor,
                         MetricsRegistry* metrics);

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
#undef DRIVE_UNARY

 private:
  using Work = std::function<absl::Status(const coordinator::Caller&)>;
  // Authenticates on the executor (token lookups read RocksDB), then runs
  // `work` with the caller.
  grpc::ServerUnaryReactor* Call(grpc::CallbackServerContext* ctx,
                                 const std::string& rpc, Work work,
                                 Executor* executor = nullptr);

  coordinator::Coordinator* coordinator_;
  Executor* executor_;
  Executor* watch_executor_;
  RpcMetrics metrics_;
};

}  // namespace drive::rpc
