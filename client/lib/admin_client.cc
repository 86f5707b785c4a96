#include "drive/admin_client.h"

#include "common/grpc/coordinator_client.h"
#include "common/grpc/scrub_progress_convert.h"
#include "common/grpc/status_convert.h"
#include "common/status_macros.h"
#include "drive/v1/coordinator.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace drive::client {

namespace v1 = drive::v1;

namespace {

RepairState FromProto(const v1::RepairStatus& r) {
  RepairState s;
  for (const auto& e : r.backlog()) {
    s.backlog.push_back(
        {e.risk(), e.pgs(), e.chunks(), e.bytes(), e.blocked()});
  }
  s.copied_chunks = r.copied_chunks();
  s.copied_bytes = r.copied_bytes();
  s.failed_copies = r.failed_copies();
  s.rate_bytes_per_s = r.rate_bytes_per_s();
  s.eta_s = r.eta_s();
  s.last_sweep_ms = r.last_sweep_unix_ms();
  s.pgs_checked = r.pgs_checked();
  s.strays_removed = r.strays_removed();
  s.running = r.running();
  s.lost_chunks = r.lost_chunks();
  s.lost_files.assign(r.lost_files().begin(), r.lost_files().end());
  s.lost_files_total = r.lost_files_total();
  return s;
}

GcState FromProto(const v1::GcReport& g) {
  return {g.unix_ms(), g.dry_run(), g.trash_expired(),
          g.chunks(),  g.bytes(),   g.pending()};
}

BackupState FromProto(const v1::BackupInfo& b) {
  return {b.id(), b.unix_ms(), b.bytes(), b.kept(), b.error()};
}

}  // namespace

uint64_t RepairState::backlog_chunks() const {
  uint64_t n = 0;
  for (const auto& e : backlog) n += e.chunks;
  return n;
}

uint64_t RepairState::backlog_bytes() const {
  uint64_t n = 0;
  for (const auto& e : backlog) n += e.bytes;
  return n;
}

struct AdminClient::Impl {
  absl::Duration long_timeout;
  absl::Status init_error;  // a bad coordinator list or token
  std::unique_ptr<CoordinatorClient> coordinator;

  // One unary call with the admin token, a deadline and failover.
  template <typename Request, typename Response>
  absl::Status Call(grpc::Status (v1::CoordinatorService::Stub::*method)(
                        grpc::ClientContext*, const Request&, Response*),
                    const Request& req, Response* resp,
                    bool long_call = false) {
    if (!coordinator) return init_error;
    CoordinatorClient::CallOptions call;
    if (long_call) call.timeout = long_timeout;
    return coordinator->Call(method, req, resp, call);
  }
};

AdminClient::AdminClient(std::string coordinator, std::string token,
                         absl::Duration timeout, absl::Duration long_timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->long_timeout = long_timeout;
  CoordinatorClientOptions o;
  o.coordinators = std::move(coordinator);
  o.token = std::move(token);
  o.timeout = timeout;
  auto c = CoordinatorClient::Create(std::move(o));
  if (c.ok()) {
    impl_->coordinator = std::move(*c);
  } else {
    impl_->init_error = c.status();
  }
}

AdminClient::~AdminClient() = default;

using Stub = v1::CoordinatorService::Stub;

absl::StatusOr<ClusterStatus> AdminClient::Status() {
  v1::ClusterStatusResponse resp;
  DRIVE_RETURN_IF_ERROR(
      impl_->Call(&Stub::ClusterStatus, v1::ClusterStatusRequest(), &resp));
  ClusterStatus out;
  const auto& m = resp.map();
  out.epoch = m.epoch();
  out.pg_count = m.pg_count();
  out.regions.assign(m.regions().begin(), m.regions().end());
  for (const auto& d : m.drives()) {
    DriveStatus ds{
        d.id(),
        d.node(),
        d.address(),
        d.region(),
        d.zone(),
        d.host(),
        d.state(),
        d.capacity_bytes(),
        d.free_bytes(),
        d.chunks(),
        d.logical_bytes(),
        d.heartbeat_age_s(),
        0,
        d.has_scrub() ? ScrubProgressFromProto(d.scrub()) : ScrubProgress{},
        d.error()};
    out.drives.push_back(std::move(ds));
  }
  for (const auto& pg : m.pgs()) {
    for (uint32_t i : pg.drives()) {
      if (i < out.drives.size()) out.drives[i].pgs++;
    }
  }
  out.pgs_full = resp.pgs_full();
  out.pgs_degraded = resp.pgs_degraded();
  out.pgs_one_region = resp.pgs_one_region();
  out.pgs_unavailable = resp.pgs_unavailable();
  out.files = resp.files();
  out.logical_bytes = resp.logical_bytes();
  out.bad_replicas_reported = resp.bad_replicas_reported();
  out.repair = FromProto(resp.repair());
  out.last_gc = FromProto(resp.last_gc());
  out.last_backup = FromProto(resp.last_backup());
  for (const auto& d : resp.drains()) {
    out.drains.push_back(
        {d.drive_id(), d.chunks_left(), d.bytes_left(), d.done()});
  }
  return out;
}

absl::StatusOr<std::string> AdminClient::CreateAccount(
    const std::string& account, bool add_token) {
  v1::CreateAccountRequest req;
  req.set_account(account);
  req.set_add_token(add_token);
  v1::CreateAccountResponse resp;
  DRIVE_RETURN_IF_ERROR(impl_->Call(&Stub::CreateAccount, req, &resp));
  return resp.token();
}

absl::StatusOr<std::vector<std::string>> AdminClient::ListAccounts() {
  v1::ListAccountsResponse resp;
  DRIVE_RETURN_IF_ERROR(
      impl_->Call(&Stub::ListAccounts, v1::ListAccountsRequest(), &resp));
  return std::vector<std::string>(resp.accounts().begin(),
                                  resp.accounts().end());
}

absl::StatusOr<uint64_t> AdminClient::SetDriveOut(const std::string& drive_id,
                                                  bool out) {
  v1::SetDriveOutRequest req;
  req.set_drive_id(drive_id);
  req.set_out(out);
  v1::SetDriveOutResponse resp;
  DRIVE_RETURN_IF_ERROR(impl_->Call(&Stub::SetDriveOut, req, &resp));
  return resp.epoch();
}

absl::StatusOr<uint64_t> AdminClient::Drain(const std::string& drive_id,
                                            bool cancel) {
  v1::DrainRequest req;
  req.set_drive_id(drive_id);
  req.set_cancel(cancel);
  v1::DrainResponse resp;
  DRIVE_RETURN_IF_ERROR(impl_->Call(&Stub::Drain, req, &resp));
  return resp.epoch();
}

absl::StatusOr<RepairState> AdminClient::Repair(bool wait) {
  v1::RepairRequest req;
  req.set_wait(wait);
  v1::RepairResponse resp;
  DRIVE_RETURN_IF_ERROR(impl_->Call(&Stub::Repair, req, &resp, wait));
  RepairState out = FromProto(resp.repair());
  out.complete = resp.complete();
  out.copies_planned = resp.copies_planned();
  out.pgs_unchecked = resp.pgs_unchecked();
  return out;
}

absl::StatusOr<std::vector<DriveScrubResult>> AdminClient::Scrub(
    const std::string& drive_id, bool now) {
  v1::ClusterScrubRequest req;
  req.set_drive_id(drive_id);
  req.set_now(now);
  v1::ClusterScrubResponse resp;
  DRIVE_RETURN_IF_ERROR(impl_->Call(&Stub::Scrub, req, &resp, now));
  std::vector<DriveScrubResult> out;
  for (const auto& d : resp.drives()) {
    out.push_back({d.drive_id(),
                   d.has_progress() ? ScrubProgressFromProto(d.progress())
                                    : ScrubProgress{},
                   d.verified_chunks(), d.corrupt_found(), d.repaired(),
                   d.error()});
  }
  return out;
}

absl::StatusOr<std::vector<PgState>> AdminClient::ListPgs(bool unhealthy_only) {
  v1::ListPgsRequest req;
  req.set_unhealthy_only(unhealthy_only);
  v1::ListPgsResponse resp;
  DRIVE_RETURN_IF_ERROR(impl_->Call(&Stub::ListPgs, req, &resp));
  std::vector<PgState> out;
  for (const auto& p : resp.pgs()) {
    out.push_back({p.pg(),
                   {p.drives().begin(), p.drives().end()},
                   p.health(),
                   p.synced(),
                   p.missing_copies(),
                   p.chunks()});
  }
  return out;
}

absl::StatusOr<GcState> AdminClient::CollectGarbage(bool dry_run) {
  v1::CollectGarbageRequest req;
  req.set_dry_run(dry_run);
  v1::CollectGarbageResponse resp;
  DRIVE_RETURN_IF_ERROR(impl_->Call(&Stub::CollectGarbage, req, &resp, true));
  return FromProto(resp.report());
}

absl::StatusOr<BackupState> AdminClient::BackupMetadata() {
  v1::BackupMetadataResponse resp;
  DRIVE_RETURN_IF_ERROR(impl_->Call(&Stub::BackupMetadata,
                                    v1::BackupMetadataRequest(), &resp, true));
  return FromProto(resp.backup());
}

}  // namespace drive::client
