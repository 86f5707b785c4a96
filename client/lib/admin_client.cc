#include "drive/admin_client.h"

#include "common/grpc/metadata.h"
#include "common/grpc/status_convert.h"
#include "drive/v1/coordinator.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace drive::client {

namespace v1 = drive::v1;

struct AdminClient::Impl {
  std::string token;
  absl::Duration timeout;
  std::unique_ptr<v1::CoordinatorService::Stub> stub;

  void Prepare(grpc::ClientContext* ctx) const {
    ctx->AddMetadata(kAuthorizationKey, "Bearer " + token);
    ctx->set_deadline(std::chrono::system_clock::now() +
                      absl::ToChronoMilliseconds(timeout));
  }
};

AdminClient::AdminClient(std::string coordinator, std::string token,
                         absl::Duration timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->token = std::move(token);
  impl_->timeout = timeout;
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  impl_->stub = v1::CoordinatorService::NewStub(grpc::CreateCustomChannel(
      coordinator, grpc::InsecureChannelCredentials(), args));
}

AdminClient::~AdminClient() = default;

absl::StatusOr<ClusterStatus> AdminClient::Status() {
  grpc::ClientContext ctx;
  impl_->Prepare(&ctx);
  v1::ClusterStatusResponse resp;
  grpc::Status s =
      impl_->stub->ClusterStatus(&ctx, v1::ClusterStatusRequest(), &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  ClusterStatus out;
  const auto& m = resp.map();
  out.epoch = m.epoch();
  out.pg_count = m.pg_count();
  out.regions.assign(m.regions().begin(), m.regions().end());
  for (const auto& d : m.drives()) {
    out.drives.push_back({d.id(), d.node(), d.address(), d.region(), d.zone(),
                          d.host(), d.state(), d.capacity_bytes(),
                          d.free_bytes(), d.chunks(), d.logical_bytes(),
                          d.heartbeat_age_s(), 0});
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
  return out;
}

absl::StatusOr<std::string> AdminClient::CreateAccount(
    const std::string& account, bool add_token) {
  grpc::ClientContext ctx;
  impl_->Prepare(&ctx);
  v1::CreateAccountRequest req;
  req.set_account(account);
  req.set_add_token(add_token);
  v1::CreateAccountResponse resp;
  grpc::Status s = impl_->stub->CreateAccount(&ctx, req, &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  return resp.token();
}

absl::StatusOr<uint64_t> AdminClient::SetDriveOut(const std::string& drive_id,
                                                  bool out) {
  grpc::ClientContext ctx;
  impl_->Prepare(&ctx);
  v1::SetDriveOutRequest req;
  req.set_drive_id(drive_id);
  req.set_out(out);
  v1::SetDriveOutResponse resp;
  grpc::Status s = impl_->stub->SetDriveOut(&ctx, req, &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  return resp.epoch();
}

}  // namespace drive::client
