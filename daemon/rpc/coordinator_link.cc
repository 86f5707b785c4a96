#include "daemon/rpc/coordinator_link.h"

#include "common/grpc/metadata.h"
#include "common/grpc/scrub_progress_convert.h"
#include "daemon/rpc/node_service.h"
#include "drive/v1/coordinator.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "spdlog/spdlog.h"

namespace drive::rpc {

namespace v1 = drive::v1;

struct CoordinatorLink::Impl {
  storage::StorageNode* node;
  CoordinatorLinkOptions options;
  std::unique_ptr<v1::CoordinatorService::Stub> stub;
  absl::Notification stop;
  std::thread thread;
  bool registered = false;
  bool last_failed = false;
  absl::Time map_fetched = absl::InfinitePast();

  void Prepare(grpc::ClientContext* ctx) {
    ctx->AddMetadata(kAuthorizationKey, "Bearer " + options.cluster_token);
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(5));
  }

  void FillDrives(google::protobuf::RepeatedPtrField<v1::DriveReport>* out) {
    std::vector<ScrubProgress> scrub;
    if (options.scrubber != nullptr) scrub = options.scrubber->Progress();
    for (const auto& name : node->drive_names()) {
      auto store = node->drive(name);
      if (!store.ok()) continue;
      auto usage = (*store)->Usage();
      if (!usage.ok()) continue;
      auto* d = out->Add();
      d->set_name(name);
      d->set_capacity_bytes(usage->capacity_bytes);
      d->set_free_bytes(usage->free_bytes);
      d->set_chunks(usage->chunks);
      d->set_logical_bytes(usage->logical_bytes);
      for (const auto& p : scrub) {
        if (p.drive == name) ToProto(p, d->mutable_scrub());
      }
    }
    // Failed drives are reported too, so the coordinator moves their PGs.
    for (const auto& f : node->failed_drives()) {
      auto* d = out->Add();
      d->set_name(f.name);
      d->set_error(f.status.ToString());
    }
  }

  void RefreshMap(uint64_t epoch) {
    if (options.map == nullptr) return;
    if (epoch == options.map->epoch() &&
        absl::Now() - map_fetched < absl::Seconds(30)) {
      return;
    }
    grpc::ClientContext ctx;
    Prepare(&ctx);
    auto info = std::make_shared<v1::PlacementMapInfo>();
    grpc::Status s =
        stub->GetPlacementMap(&ctx, v1::GetPlacementMapRequest(), info.get());
    if (!s.ok()) return;  // retried on the next beat
    options.map->Update(std::move(info));
    map_fetched = absl::Now();
  }

  grpc::Status Register() {
    grpc::ClientContext ctx;
    Prepare(&ctx);
    v1::RegisterNodeRequest req;
    req.set_node(options.node);
    req.set_address(options.address);
    req.set_region(options.region);
    req.set_zone(options.zone);
    req.set_host(options.host);
    auto first = node->drive(node->drive_names().front());
    req.set_pg_count(first.ok() ? (*first)->pg_count() : 0);
    FillDrives(req.mutable_drives());
    v1::RegisterNodeResponse resp;
    grpc::Status s = stub->RegisterNode(&ctx, req, &resp);
    if (s.ok()) {
      spdlog::info("event=node_registered node={} coordinator={} epoch={}",
                   options.node, options.coordinator, resp.epoch());
      map_fetched = absl::InfinitePast();  // a fresh start: fetch it now
      RefreshMap(resp.epoch());
    }
    return s;
  }

  grpc::Status Beat() {
    grpc::ClientContext ctx;
    Prepare(&ctx);
    v1::HeartbeatRequest req;
    req.set_node(options.node);
    req.set_address(options.address);
    FillDrives(req.mutable_drives());
    v1::HeartbeatResponse resp;
    grpc::Status s = stub->Heartbeat(&ctx, req, &resp);
    if (s.ok() && !resp.known()) registered = false;
    if (s.ok() && resp.known()) RefreshMap(resp.epoch());
    return s;
  }

  void Loop() {
    do {
      grpc::Status s = registered ? Beat() : Register();
      if (s.ok() && !registered) registered = true;
      if (!s.ok() && !last_failed) {
        // Log the first failure of a streak, not one line per second.
        spdlog::warn(
            "event=coordinator_unreachable node={} coordinator={} error=\"{}\"",
            options.node, options.coordinator, s.error_message());
      }
      last_failed = !s.ok();
    } while (!stop.WaitForNotificationWithTimeout(options.interval));
  }
};

CoordinatorLink::CoordinatorLink(storage::StorageNode* node,
                                 CoordinatorLinkOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->node = node;
  impl_->options = std::move(options);
  impl_->stub = v1::CoordinatorService::NewStub(grpc::CreateChannel(
      impl_->options.coordinator, grpc::InsecureChannelCredentials()));
}

CoordinatorLink::~CoordinatorLink() {
  impl_->stop.Notify();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void CoordinatorLink::Start() {
  impl_->thread = std::thread([this] { impl_->Loop(); });
}

}  // namespace drive::rpc
