#include "daemon/rpc/coordinator_service.h"

#include <algorithm>

#include "common/status_macros.h"
#include "daemon/rpc/auth.h"
#include "daemon/rpc/coordinator_convert.h"
#include "daemon/rpc/unary_call.h"

namespace drive::rpc {

using coordinator::Caller;
using coordinator::Role;
namespace v1 = drive::v1;

CoordinatorServiceImpl::CoordinatorServiceImpl(
    coordinator::Coordinator* coordinator, Executor* executor,
    Executor* watch_executor, MetricsRegistry* metrics,
    CoordinatorAdminDeps admin, Executor* long_executor)
    : coordinator_(coordinator),
      executor_(executor),
      watch_executor_(watch_executor),
      metrics_(metrics),
      admin_(admin),
      long_executor_(long_executor ? long_executor : watch_executor),
      // Room for two of the largest requests, and for many small ones.
      pending_auth_(1024, 2 * kMaxCoordinatorMessageBytes) {}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::Call(
    grpc::CallbackServerContext* ctx, const std::string& rpc,
    const google::protobuf::MessageLite& request, Work work,
    Executor* executor) {
  std::string token = BearerToken(*ctx);
  size_t bytes = request.ByteSizeLong();
  // On gRPC's thread, before the request waits anywhere: what is refused
  // here frees its memory at once.
  auto admit = [&]() -> absl::Status {
    DRIVE_RETURN_IF_ERROR(CheckCoordinatorRequestSize(rpc, bytes));
    if (token.empty())
      return absl::UnauthenticatedError("missing bearer token");
    if (!pending_auth_.TryAcquire(bytes)) {
      return absl::ResourceExhaustedError(
          "too many calls await authentication; retry later");
    }
    return absl::OkStatus();
  };
  return RunUnary(
      ctx, executor ? executor : executor_, &metrics_, rpc, admit,
      // A copy: `admit` reads `token` when RunUnary runs it, after this
      // lambda was made.
      [this, bytes, token, work = std::move(work)]() -> absl::Status {
        auto caller = coordinator_->Authenticate(token);
        pending_auth_.Release(bytes);
        if (!caller.ok()) return caller.status();
        return work(*caller);
      });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::RegisterNode(
    grpc::CallbackServerContext* ctx, const v1::RegisterNodeRequest* req,
    v1::RegisterNodeResponse* resp) {
  return Call(ctx, "RegisterNode", *req,
              [=, this](const Caller& c) -> absl::Status {
                DRIVE_RETURN_IF_ERROR(coordinator_->Require(c, Role::kCluster));
                coordinator::NodeRecord r;
                r.node = req->node();
                r.address = req->address();
                r.region = req->region();
                r.zone = req->zone().empty() ? req->region() : req->zone();
                r.host = req->host().empty() ? req->node() : req->host();
                r.pg_count = req->pg_count();
                for (const auto& d : req->drives())
                  r.drives.push_back(FromProto(d));
                DRIVE_ASSIGN_OR_RETURN(uint64_t epoch,
                                       coordinator_->registry()->Register(r));
                resp->set_epoch(epoch);
                return absl::OkStatus();
              });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::Heartbeat(
    grpc::CallbackServerContext* ctx, const v1::HeartbeatRequest* req,
    v1::HeartbeatResponse* resp) {
  return Call(ctx, "Heartbeat", *req,
              [=, this](const Caller& c) -> absl::Status {
                DRIVE_RETURN_IF_ERROR(coordinator_->Require(c, Role::kCluster));
                std::vector<coordinator::DriveReport> drives;
                for (const auto& d : req->drives())
                  drives.push_back(FromProto(d));
                auto epoch = coordinator_->registry()->Heartbeat(
                    req->node(), drives, req->address());
                if (absl::IsNotFound(epoch.status())) {
                  resp->set_known(false);
                  return absl::OkStatus();
                }
                DRIVE_RETURN_IF_ERROR(epoch.status());
                resp->set_known(true);
                resp->set_epoch(*epoch);
                return absl::OkStatus();
              });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::GetPlacementMap(
    grpc::CallbackServerContext* ctx, const v1::GetPlacementMapRequest* req,
    v1::PlacementMapInfo* resp) {
  bool waits = req->wait_ms() > 0 && req->known_epoch() > 0;
  return Call(
      ctx, "GetPlacementMap", *req,
      [=, this](const Caller&) -> absl::Status {
        auto view = coordinator_->registry()->View();
        if (waits) {
          uint32_t wait_ms = std::min<uint32_t>(req->wait_ms(), 60000);
          view = coordinator_->registry()->WaitForNewerEpoch(
              req->known_epoch(), absl::Milliseconds(wait_ms));
        }
        if (!view->map) {
          return absl::UnavailableError(
              "no placement map yet: both regions need registered nodes");
        }
        ToProto(*view, resp);
        return absl::OkStatus();
      },
      waits ? watch_executor_ : nullptr);
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::GetDataToken(
    grpc::CallbackServerContext* ctx, const v1::GetDataTokenRequest* req,
    v1::GetDataTokenResponse* resp) {
  return Call(
      ctx, "GetDataToken", *req, [=, this](const Caller& c) -> absl::Status {
        DRIVE_RETURN_IF_ERROR(coordinator_->RequireAccount(c, req->account()));
        auto [token, expires] = coordinator_->IssueDataToken(req->account());
        resp->set_token(token);
        resp->set_expires_unix_s(expires);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::CommitFiles(
    grpc::CallbackServerContext* ctx, const v1::CommitFilesRequest* req,
    v1::CommitFilesResponse* resp) {
  return Call(
      ctx, "CommitFiles", *req, [=, this](const Caller& c) -> absl::Status {
        DRIVE_RETURN_IF_ERROR(coordinator_->RequireAccount(c, req->account()));
        std::vector<coordinator::FileRecord> files;
        for (const auto& m : req->files()) {
          DRIVE_ASSIGN_OR_RETURN(auto f, FromProto(m));
          files.push_back(std::move(f));
        }
        std::vector<uint64_t> expected(req->expected_versions().begin(),
                                       req->expected_versions().end());
        DRIVE_ASSIGN_OR_RETURN(
            auto committed,
            coordinator_->Commit(req->account(), std::move(files),
                                 expected.empty() ? nullptr : &expected,
                                 req->upload_started_unix_ms()));
        for (const auto& f : committed) ToProto(f, true, resp->add_files());
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::StatFile(
    grpc::CallbackServerContext* ctx, const v1::StatFileRequest* req,
    v1::StatFileResponse* resp) {
  return Call(
      ctx, "StatFile", *req, [=, this](const Caller& c) -> absl::Status {
        DRIVE_RETURN_IF_ERROR(coordinator_->RequireAccount(c, req->account()));
        DRIVE_ASSIGN_OR_RETURN(auto f,
                               coordinator_->Stat(req->account(), req->path()));
        ToProto(f, true, resp->mutable_file());
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::ListFiles(
    grpc::CallbackServerContext* ctx, const v1::ListFilesRequest* req,
    v1::ListFilesResponse* resp) {
  return Call(
      ctx, "ListFiles", *req, [=, this](const Caller& c) -> absl::Status {
        DRIVE_RETURN_IF_ERROR(coordinator_->RequireAccount(c, req->account()));
        size_t limit = req->limit() == 0 ? 1000 : req->limit();
        DRIVE_ASSIGN_OR_RETURN(auto listing,
                               coordinator_->List(req->account(), req->prefix(),
                                                  req->cursor(), limit));
        for (const auto& f : listing.files)
          ToProto(f, false, resp->add_files());
        resp->set_next_cursor(listing.next_cursor);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::MoveFile(
    grpc::CallbackServerContext* ctx, const v1::MoveFileRequest* req,
    v1::MoveFileResponse* resp) {
  return Call(
      ctx, "MoveFile", *req, [=, this](const Caller& c) -> absl::Status {
        DRIVE_RETURN_IF_ERROR(coordinator_->RequireAccount(c, req->account()));
        DRIVE_ASSIGN_OR_RETURN(
            auto f, coordinator_->ns()->Move(req->account(), req->from_path(),
                                             req->to_path(), req->overwrite()));
        ToProto(f, false, resp->mutable_file());
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::DeleteFile(
    grpc::CallbackServerContext* ctx, const v1::DeleteFileRequest* req,
    v1::DeleteFileResponse* resp) {
  return Call(
      ctx, "DeleteFile", *req, [=, this](const Caller& c) -> absl::Status {
        DRIVE_RETURN_IF_ERROR(coordinator_->RequireAccount(c, req->account()));
        DRIVE_ASSIGN_OR_RETURN(
            auto t, coordinator_->ns()->Delete(req->account(), req->path()));
        resp->set_trash_id(t.trash_id);
        resp->set_purge_after_unix_ms(t.purge_after_ms);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::ListTrash(
    grpc::CallbackServerContext* ctx, const v1::ListTrashRequest* req,
    v1::ListTrashResponse* resp) {
  return Call(
      ctx, "ListTrash", *req, [=, this](const Caller& c) -> absl::Status {
        DRIVE_RETURN_IF_ERROR(coordinator_->RequireAccount(c, req->account()));
        DRIVE_ASSIGN_OR_RETURN(
            auto entries,
            coordinator_->ns()->ListTrash(req->account(), req->prefix()));
        for (const auto& t : entries) {
          auto* e = resp->add_entries();
          e->set_trash_id(t.trash_id);
          ToProto(t.file, false, e->mutable_file());
          e->set_deleted_unix_ms(t.deleted_ms);
          e->set_purge_after_unix_ms(t.purge_after_ms);
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::RestoreFile(
    grpc::CallbackServerContext* ctx, const v1::RestoreFileRequest* req,
    v1::RestoreFileResponse* resp) {
  return Call(
      ctx, "RestoreFile", *req, [=, this](const Caller& c) -> absl::Status {
        DRIVE_RETURN_IF_ERROR(coordinator_->RequireAccount(c, req->account()));
        DRIVE_ASSIGN_OR_RETURN(
            auto f,
            coordinator_->ns()->Restore(req->account(), req->trash_id_or_path(),
                                        req->to_path()));
        ToProto(f, false, resp->mutable_file());
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::ReportBadReplica(
    grpc::CallbackServerContext* ctx, const v1::ReportBadReplicaRequest* req,
    v1::ReportBadReplicaResponse*) {
  return Call(
      ctx, "ReportBadReplica", *req,
      [=, this](const Caller& c) -> absl::Status {
        DRIVE_RETURN_IF_ERROR(coordinator_->RequireAccount(c, req->account()));
        DRIVE_ASSIGN_OR_RETURN(ChunkId id, ChunkId::FromBytes(req->chunk_id()));
        return coordinator_->ReportBadReplica(c, req->account(), id,
                                              req->drive_id(),
                                              req->reason().substr(0, 500));
      });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::CreateAccount(
    grpc::CallbackServerContext* ctx, const v1::CreateAccountRequest* req,
    v1::CreateAccountResponse* resp) {
  return Call(ctx, "CreateAccount", *req,
              [=, this](const Caller& c) -> absl::Status {
                DRIVE_RETURN_IF_ERROR(coordinator_->Require(c, Role::kAdmin));
                if (req->account() == coordinator::kSystemAccount) {
                  return absl::InvalidArgumentError(
                      std::string(coordinator::kSystemAccount) +
                      " is reserved for the cluster's own files");
                }
                DRIVE_ASSIGN_OR_RETURN(std::string token,
                                       coordinator_->ns()->CreateAccount(
                                           req->account(), req->add_token()));
                resp->set_token(token);
                return absl::OkStatus();
              });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::ClusterStatus(
    grpc::CallbackServerContext* ctx, const v1::ClusterStatusRequest* req,
    v1::ClusterStatusResponse* resp) {
  return Call(
      ctx, "ClusterStatus", *req, [=, this](const Caller& c) -> absl::Status {
        DRIVE_RETURN_IF_ERROR(coordinator_->Require(c, Role::kAdmin));
        ToProto(*coordinator_->registry()->View(), resp->mutable_map());
        coordinator::PgHealth h = coordinator_->Health();
        resp->set_pgs_full(h.full);
        resp->set_pgs_degraded(h.degraded);
        resp->set_pgs_one_region(h.one_region);
        resp->set_pgs_unavailable(h.unavailable);
        resp->set_files(coordinator_->ns()->file_count());
        resp->set_logical_bytes(coordinator_->ns()->logical_bytes());
        resp->set_bad_replicas_reported(coordinator_->bad_replicas_reported());
        FillMaintenance(resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::SetDriveOut(
    grpc::CallbackServerContext* ctx, const v1::SetDriveOutRequest* req,
    v1::SetDriveOutResponse* resp) {
  return Call(ctx, "SetDriveOut", *req,
              [=, this](const Caller& c) -> absl::Status {
                DRIVE_RETURN_IF_ERROR(coordinator_->Require(c, Role::kAdmin));
                return AsLeader([&]() -> absl::Status {
                  DRIVE_ASSIGN_OR_RETURN(uint64_t epoch,
                                         coordinator_->registry()->SetDriveOut(
                                             req->drive_id(), req->out()));
                  if (admin_.maintenance) admin_.maintenance->WakeRepair();
                  resp->set_epoch(epoch);
                  return absl::OkStatus();
                });
              });
}

}  // namespace drive::rpc
