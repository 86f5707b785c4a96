#include "daemon/main/node_daemon.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/env.h"
#include "common/status_macros.h"
#include "spdlog/spdlog.h"

namespace drive::daemon {

absl::StatusOr<std::unique_ptr<NodeDaemon>> NodeDaemon::Start(
    const NodeFlags& flags, NodeSettings settings) {
  std::unique_ptr<NodeDaemon> d(new NodeDaemon(std::move(settings)));
  DRIVE_RETURN_IF_ERROR(d->OpenDrives(flags));
  d->CreateService(flags);
  DRIVE_RETURN_IF_ERROR(d->StartServing(flags));
  return d;
}

absl::Status NodeDaemon::OpenDrives(const NodeFlags& flags) {
  const std::string& name = settings_.name;
  DRIVE_ASSIGN_OR_RETURN(node_,
                         storage::StorageNode::Open(name, settings_.drives));
  // One bad disk does not stop the node: it serves the other drives and
  // reports this one (log, metric, heartbeats) until it is replaced.
  for (const auto& f : node_->failed_drives()) {
    spdlog::error("event=drive_failed node={} drive={} path={} error=\"{}\"",
                  name, f.name, f.path, f.status.ToString());
  }
  fetcher_ = std::make_unique<rpc::PeerFetcher>(&repair_peers_,
                                                settings_.cluster_token);
  repair_source_ = std::make_unique<rpc::MapRepairSource>(
      &map_cache_, fetcher_.get(), name, flags.region);
  std::vector<std::pair<std::string, storage::ChunkStore*>> stores;
  for (const auto& d : node_->drive_names()) {
    stores.push_back({d, *node_->drive(d)});
  }
  scrubber::ScrubOptions so;
  so.deadline = settings_.scrub_deadline;
  so.max_rate_bytes = static_cast<double>(settings_.scrub_max_rate);
  so.min_rate_bytes = so.max_rate_bytes > 0
                          ? std::min(so.min_rate_bytes, so.max_rate_bytes)
                          : so.min_rate_bytes;
  DRIVE_ASSIGN_OR_RETURN(
      scrub_, scrubber::Scrubber::Create(stores, repair_source_.get(),
                                         Env::Default(), so));
  return absl::OkStatus();
}

void NodeDaemon::CreateService(const NodeFlags& flags) {
  write_executor_ = std::make_unique<ThreadPoolExecutor>(2 * flags.threads);
  read_executor_ = std::make_unique<ThreadPoolExecutor>(flags.threads);
  repair_executor_ = std::make_unique<ThreadPoolExecutor>(flags.threads);
  scrub_executor_ = std::make_unique<ThreadPoolExecutor>(
      static_cast<int>(node_->drive_names().size()));
  rpc::NodeServiceOptions service_options{
      settings_.cluster_token, flags.region,
      static_cast<double>(settings_.repair_rate)};
  service_options.map = &map_cache_;  // forwards go to map members only
  service_options.stream_idle_timeout = settings_.stream_idle_timeout;
  service_options.max_put_streams = flags.max_put_streams;
  rpc::NodeRepairDeps repair_deps{scrub_.get(), fetcher_.get(),
                                  repair_executor_.get()};
  service_ = std::make_unique<rpc::NodeServiceImpl>(
      node_.get(), write_executor_.get(), read_executor_.get(), &metrics_,
      service_options, repair_deps);
  service_->ExportDriveMetrics();
  auto drive_failed = [&](const std::string& drive) {
    return metrics_.GetGauge("drive_drive_failed",
                             "1 when the drive could not be opened",
                             absl::StrCat("drive=\"", drive, "\""));
  };
  for (const auto& d : node_->drive_names()) drive_failed(d)->Set(0);
  for (const auto& f : node_->failed_drives()) drive_failed(f.name)->Set(1);
}

absl::Status NodeDaemon::StartServing(const NodeFlags& flags) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort(flags.listen, grpc::InsecureServerCredentials(),
                           &grpc_port_);
  // Room for one 1 MiB data message plus framing; anything larger is
  // rejected by gRPC itself with RESOURCE_EXHAUSTED.
  builder.SetMaxReceiveMessageSize(rpc::kMaxChunkMessageBytes + 64 * 1024);
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  if (!server_ || grpc_port_ == 0) {
    return absl::UnavailableError("cannot listen on " + flags.listen);
  }
  shutdown_server_.Set([this] {
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(30));
  });
  metrics_server_ = std::make_unique<http::MetricsServer>(&metrics_);
  DRIVE_ASSIGN_OR_RETURN(
      metrics_port_,
      metrics_server_->Start(settings_.metrics_host, settings_.metrics_port));
  return absl::OkStatus();
}

void NodeDaemon::StartBackground(const NodeFlags& flags) {
  if (!flags.coordinator.empty()) {
    rpc::CoordinatorLinkOptions lo;
    lo.coordinator = flags.coordinator;
    lo.cluster_token = settings_.cluster_token;
    lo.node = settings_.name;
    std::string listen_host = flags.listen.substr(0, flags.listen.rfind(':'));
    lo.address = flags.advertise.empty()
                     ? absl::StrCat(listen_host, ":", grpc_port_)
                     : flags.advertise;
    lo.region = flags.region;
    lo.zone = flags.zone.empty() ? flags.region : flags.zone;
    lo.host = flags.host.empty() ? settings_.name : flags.host;
    lo.map = &map_cache_;
    lo.scrubber = scrub_.get();
    coordinator_link_ = std::make_unique<rpc::CoordinatorLink>(node_.get(), lo);
    coordinator_link_->Start();
  }
  scrub_->Start(scrub_executor_.get());
  stop_scrub_.Set([this] { scrub_->Stop(); });
}

}  // namespace drive::daemon
