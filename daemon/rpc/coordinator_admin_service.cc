// CoordinatorService's operator calls for repair, drains, scrub, garbage
// collection and metadata backups (admin token). Thin: each calls one
// domain object and converts its answer.

#include <algorithm>

#include "common/grpc/scrub_progress_convert.h"
#include "common/status_macros.h"
#include "daemon/coordinator/cluster_scrub.h"
#include "daemon/rpc/coordinator_convert.h"
#include "daemon/rpc/coordinator_service.h"

namespace drive::rpc {

using coordinator::Caller;
using coordinator::Role;
namespace v1 = drive::v1;

namespace {

absl::Status Missing(const char* what) {
  return absl::FailedPreconditionError(std::string(what) +
                                       " is not running on this coordinator");
}

}  // namespace

absl::Status CoordinatorServiceImpl::AsLeader(
    const std::function<absl::Status()>& fn) const {
  if (admin_.leader == nullptr) return fn();
  absl::Status out = absl::UnavailableError(
      "this coordinator is not the leader: repair, garbage collection, "
      "backups, drains and out/in run on the leader (give drive-admin every "
      "coordinator's address)");
  admin_.leader->Run([&] {
    out = fn();
    return true;
  });
  return out;
}

namespace {

void ToProto(const coordinator::RepairStatusInfo& r, v1::RepairStatus* out) {
  for (const auto& e : r.backlog) {
    auto* b = out->add_backlog();
    b->set_risk(e.risk);
    b->set_pgs(e.pgs);
    b->set_chunks(e.chunks);
    b->set_bytes(e.bytes);
    b->set_blocked(e.blocked);
  }
  out->set_copied_chunks(r.copied_chunks);
  out->set_copied_bytes(r.copied_bytes);
  out->set_failed_copies(r.failed_copies);
  out->set_rate_bytes_per_s(r.rate_bytes_per_s);
  out->set_eta_s(r.eta_s);
  out->set_last_sweep_unix_ms(r.last_sweep_ms);
  out->set_pgs_checked(r.pgs_checked);
  out->set_strays_removed(r.strays_removed);
  out->set_running(r.running);
  out->set_lost_chunks(r.lost.chunks);
  for (const auto& f : r.lost.files) out->add_lost_files(f);
  out->set_lost_files_total(r.lost.files_total);
}

void ToProto(const coordinator::GcReportInfo& g, v1::GcReport* out) {
  out->set_unix_ms(g.unix_ms);
  out->set_dry_run(g.dry_run);
  out->set_trash_expired(g.trash_expired);
  out->set_chunks(g.chunks);
  out->set_bytes(g.bytes);
  out->set_pending(g.pending);
}

void ToProto(const coordinator::BackupInfoDomain& b, v1::BackupInfo* out) {
  out->set_id(b.id);
  out->set_unix_ms(b.unix_ms);
  out->set_bytes(b.bytes);
  out->set_kept(b.kept);
  out->set_error(b.error);
}

}  // namespace

void CoordinatorServiceImpl::FillMaintenance(
    v1::ClusterStatusResponse* resp) const {
  if (admin_.planner) {
    ToProto(admin_.planner->Status(), resp->mutable_repair());
    for (const auto& d : admin_.planner->Drains()) {
      auto* out = resp->add_drains();
      out->set_drive_id(d.drive_id);
      out->set_chunks_left(d.chunks_left);
      out->set_bytes_left(d.bytes_left);
      out->set_done(d.done);
    }
  }
  if (admin_.gc) ToProto(admin_.gc->last(), resp->mutable_last_gc());
  if (admin_.backup)
    ToProto(admin_.backup->last(), resp->mutable_last_backup());
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::Drain(
    grpc::CallbackServerContext* ctx, const v1::DrainRequest* req,
    v1::DrainResponse* resp) {
  return Call(ctx, "Drain", *req, [=, this](const Caller& c) -> absl::Status {
    DRIVE_RETURN_IF_ERROR(coordinator_->Require(c, Role::kAdmin));
    return AsLeader([&]() -> absl::Status {
      DRIVE_ASSIGN_OR_RETURN(uint64_t epoch,
                             coordinator_->registry()->SetDraining(
                                 req->drive_id(), !req->cancel()));
      if (admin_.maintenance) admin_.maintenance->WakeRepair();
      resp->set_epoch(epoch);
      return absl::OkStatus();
    });
  });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::Repair(
    grpc::CallbackServerContext* ctx, const v1::RepairRequest* req,
    v1::RepairResponse* resp) {
  return Call(
      ctx, "Repair", *req,
      [=, this](const Caller& c) -> absl::Status {
        DRIVE_RETURN_IF_ERROR(coordinator_->Require(c, Role::kAdmin));
        if (!admin_.planner) return Missing("repair");
        return AsLeader([&]() -> absl::Status {
          if (req->wait()) {
            // A sweep that sees every live node as it is after the request:
            // waiting for their reports takes one heartbeat, at most
            // down_after.
            DRIVE_ASSIGN_OR_RETURN(
                coordinator::SweepSummary sweep,
                admin_.planner->SweepAfterReports(
                    coordinator_->registry()->options().down_after +
                    absl::Seconds(1)));
            resp->set_complete(sweep.clean());
            resp->set_copies_planned(sweep.copies_planned);
            resp->set_pgs_unchecked(sweep.pgs_unchecked);
          } else if (admin_.maintenance) {
            admin_.maintenance->WakeRepair();
          }
          ToProto(admin_.planner->Status(), resp->mutable_repair());
          return absl::OkStatus();
        });
      },
      long_executor_);
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::Scrub(
    grpc::CallbackServerContext* ctx, const v1::ClusterScrubRequest* req,
    v1::ClusterScrubResponse* resp) {
  return Call(
      ctx, "Scrub", *req,
      [=, this](const Caller& c) -> absl::Status {
        DRIVE_RETURN_IF_ERROR(coordinator_->Require(c, Role::kAdmin));
        if (!admin_.nodes) return Missing("the node transport");
        auto view = coordinator_->registry()->View();
        // Threads for this call only: the drives scrub in parallel, up to
        // the fan-out's bound, and none is left idle between scrubs.
        ThreadPoolExecutor pool(
            std::clamp<int>(static_cast<int>(view->drives.size()), 2,
                            coordinator::kDefaultScrubParallel) -
            1);
        DRIVE_ASSIGN_OR_RETURN(auto out, coordinator::ScrubDrives(
                                             *view, req->drive_id(), req->now(),
                                             admin_.nodes, &pool));
        for (const auto& o : out) {
          auto* d = resp->add_drives();
          d->set_drive_id(o.drive_id);
          ToProto(o.progress, d->mutable_progress());
          d->set_verified_chunks(o.verified_chunks);
          d->set_corrupt_found(o.corrupt_found);
          d->set_repaired(o.repaired);
          if (!o.status.ok()) d->set_error(o.status.ToString());
        }
        return absl::OkStatus();
      },
      long_executor_);
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::ListPgs(
    grpc::CallbackServerContext* ctx, const v1::ListPgsRequest* req,
    v1::ListPgsResponse* resp) {
  return Call(ctx, "ListPgs", *req, [=, this](const Caller& c) -> absl::Status {
    DRIVE_RETURN_IF_ERROR(coordinator_->Require(c, Role::kAdmin));
    DRIVE_ASSIGN_OR_RETURN(coordinator::PgListing listing, coordinator_->Pgs());
    resp->set_epoch(listing.epoch);
    for (const auto& pg : listing.pgs) {
      if (req->unhealthy_only() &&
          pg.health == coordinator::PgHealthState::kFull)
        continue;
      auto* out = resp->add_pgs();
      out->set_pg(pg.pg);
      for (const auto& id : pg.drives) out->add_drives(id);
      out->set_health(PgHealthName(pg.health));
      out->set_synced(pg.report.sync == coordinator::PgSync::kSynced);
      out->set_missing_copies(pg.report.missing_copies);
      out->set_chunks(pg.report.chunks);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::CollectGarbage(
    grpc::CallbackServerContext* ctx, const v1::CollectGarbageRequest* req,
    v1::CollectGarbageResponse* resp) {
  return Call(
      ctx, "CollectGarbage", *req,
      [=, this](const Caller& c) -> absl::Status {
        DRIVE_RETURN_IF_ERROR(coordinator_->Require(c, Role::kAdmin));
        if (!admin_.gc) return Missing("garbage collection");
        return AsLeader([&]() -> absl::Status {
          DRIVE_ASSIGN_OR_RETURN(auto report, admin_.gc->Run(req->dry_run()));
          ToProto(report, resp->mutable_report());
          return absl::OkStatus();
        });
      },
      long_executor_);
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::ListAccounts(
    grpc::CallbackServerContext* ctx, const v1::ListAccountsRequest* req,
    v1::ListAccountsResponse* resp) {
  return Call(ctx, "ListAccounts", *req,
              [=, this](const Caller& c) -> absl::Status {
                DRIVE_RETURN_IF_ERROR(coordinator_->Require(c, Role::kAdmin));
                DRIVE_ASSIGN_OR_RETURN(auto accounts,
                                       coordinator_->ns()->ListAccounts());
                for (const auto& a : accounts) resp->add_accounts(a);
                return absl::OkStatus();
              });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::BackupMetadata(
    grpc::CallbackServerContext* ctx, const v1::BackupMetadataRequest* req,
    v1::BackupMetadataResponse* resp) {
  return Call(
      ctx, "BackupMetadata", *req,
      [=, this](const Caller& c) -> absl::Status {
        DRIVE_RETURN_IF_ERROR(coordinator_->Require(c, Role::kAdmin));
        if (!admin_.backup) return Missing("metadata backup");
        return AsLeader([&]() -> absl::Status {
          DRIVE_ASSIGN_OR_RETURN(auto info, admin_.backup->Run());
          ToProto(info, resp->mutable_backup());
          return absl::OkStatus();
        });
      },
      long_executor_);
}

}  // namespace drive::rpc
