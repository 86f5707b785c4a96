#include "daemon/rpc/coordinator_link.h"

#include "common/grpc/coordinator_client.h"
#include "common/grpc/placement_map_convert.h"
#include "common/grpc/scrub_progress_convert.h"
#include "common/grpc/status_convert.h"
#include "common/status_macros.h"
#include "daemon/rpc/node_service.h"
#include "drive/v1/coordinator.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "spdlog/spdlog.h"

namespace drive::rpc {

namespace v1 = drive::v1;

namespace {

// The coordinator's current placement map. Blocks for one call.
absl::StatusOr<std::shared_ptr<const PlacementMap>> FetchMap(
    CoordinatorClient& coordinator) {
  v1::PlacementMapInfo info;
  DRIVE_RETURN_IF_ERROR(
      coordinator.Call(&v1::CoordinatorService::Stub::GetPlacementMap,
                       v1::GetPlacementMapRequest(), &info));
  return std::make_shared<const PlacementMap>(PlacementMapFromProto(info));
}

}  // namespace

struct CoordinatorLink::Impl {
  storage::StorageNode* node;
  CoordinatorLinkOptions options;
  std::shared_ptr<CoordinatorClient> coordinator;  // null: init_error
  absl::Status init_error;
  absl::Notification stop;
  std::thread thread;
  bool registered = false;
  bool last_failed = false;
  absl::Time map_fetched = absl::InfinitePast();

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
    auto map = FetchMap(*coordinator);
    if (!map.ok()) return;  // retried on the next beat
    options.map->Update(*std::move(map));
    map_fetched = absl::Now();
  }

  absl::Status Register() {
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
    absl::Status s = coordinator->Call(
        &v1::CoordinatorService::Stub::RegisterNode, req, &resp);
    if (s.ok()) {
      spdlog::info("event=node_registered node={} coordinator={} epoch={}",
                   options.node, coordinator->current(), resp.epoch());
      map_fetched = absl::InfinitePast();  // a fresh start: fetch it now
      RefreshMap(resp.epoch());
    }
    return s;
  }

  absl::Status Beat() {
    v1::HeartbeatRequest req;
    req.set_node(options.node);
    req.set_address(options.address);
    FillDrives(req.mutable_drives());
    v1::HeartbeatResponse resp;
    absl::Status s =
        coordinator->Call(&v1::CoordinatorService::Stub::Heartbeat, req, &resp);
    if (s.ok() && !resp.known()) registered = false;
    if (s.ok() && resp.known()) RefreshMap(resp.epoch());
    return s;
  }

  void Loop() {
    do {
      absl::Status s = !coordinator ? init_error
                       : registered ? Beat()
                                    : Register();
      if (s.ok() && !registered) registered = true;
      if (!s.ok() && !last_failed) {
        // Log the first failure of a streak, not one line per second.
        spdlog::warn(
            "event=coordinator_unreachable node={} coordinator={} error=\"{}\"",
            options.node, options.coordinator, std::string(s.message()));
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
  CoordinatorClientOptions co;
  co.coordinators = impl_->options.coordinator;
  co.region = impl_->options.region;
  co.token = impl_->options.cluster_token;
  co.timeout = absl::Seconds(5);
  co.rounds = 1;  // the next beat is the retry
  auto c = CoordinatorClient::Create(std::move(co));
  if (!c.ok()) {
    impl_->init_error = c.status();
    return;
  }
  impl_->coordinator = std::move(*c);
  if (impl_->options.map != nullptr) {
    // For a node that needs a map now (a forward target it does not know
    // yet), rather than at the next heartbeat. The fetcher shares the
    // coordinator client; the destructor also removes it (SetFetcher waits
    // for a fetch in progress).
    std::shared_ptr<CoordinatorClient> coordinator = impl_->coordinator;
    impl_->options.map->SetFetcher(
        [coordinator] { return FetchMap(*coordinator); });
  }
}

CoordinatorLink::~CoordinatorLink() {
  if (impl_->options.map != nullptr) impl_->options.map->SetFetcher(nullptr);
  impl_->stop.Notify();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void CoordinatorLink::Start() {
  impl_->thread = std::thread([this] { impl_->Loop(); });
}

}  // namespace drive::rpc
