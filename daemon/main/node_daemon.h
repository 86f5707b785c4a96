#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/executor.h"
#include "common/grpc/peer_channels.h"
#include "common/metrics.h"
#include "daemon/http/metrics_server.h"
#include "daemon/main/node_main.h"
#include "daemon/main/process_util.h"
#include "daemon/rpc/coordinator_link.h"
#include "daemon/rpc/node_map.h"
#include "daemon/rpc/node_service.h"
#include "daemon/rpc/peer_fetcher.h"
#include "daemon/scrubber/scrubber.h"
#include "daemon/storage/storage_node.h"
#include "grpcpp/grpcpp.h"

namespace drive::daemon {

// The node's flags, parsed and checked (node_main.cc).
struct NodeSettings {
  std::string name;  // --name, else the host name
  std::string cluster_token;
  std::vector<storage::DriveConfig> drives;
  std::string metrics_host;
  uint16_t metrics_port = 0;
  absl::Duration scrub_deadline;
  uint64_t scrub_max_rate = 0;
  uint64_t repair_rate = 0;
  absl::Duration stream_idle_timeout;  // > 0
};

// A running `drived node`: its drives, the scrubber, the gRPC service,
// /metrics and the link to the coordinator. Destroying it shuts the node
// down in its members' reverse order.
class NodeDaemon {
 public:
  // Opens the drives (a drive that cannot be opened is logged and reported,
  // not fatal) and starts serving gRPC and /metrics.
  static absl::StatusOr<std::unique_ptr<NodeDaemon>> Start(
      const NodeFlags& flags, NodeSettings settings);
  ~NodeDaemon() = default;
  NodeDaemon(const NodeDaemon&) = delete;
  NodeDaemon& operator=(const NodeDaemon&) = delete;

  // Then starts the background work: registering and heartbeating with the
  // coordinator (unless standalone) and the scrub loops.
  void StartBackground(const NodeFlags& flags);

  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }
  size_t drive_count() const { return node_->drive_names().size(); }

 private:
  explicit NodeDaemon(NodeSettings settings) : settings_(std::move(settings)) {}
  // The steps of Start, in order.
  absl::Status OpenDrives(const NodeFlags& flags);
  void CreateService(const NodeFlags& flags);
  absl::Status StartServing(const NodeFlags& flags);

  const NodeSettings settings_;

  // Members are declared in start order and destroyed in reverse: the
  // member order IS the shutdown order, read bottom-up.
  //
  // Repair copies and scrub findings are read from PG peers with the
  // cluster token, using this node's copy of the placement map.
  PeerChannels repair_peers_;
  std::unique_ptr<rpc::PeerFetcher> fetcher_;
  rpc::NodeMapCache map_cache_;
  std::unique_ptr<rpc::MapRepairSource> repair_source_;
  MetricsRegistry metrics_;
  std::unique_ptr<rpc::NodeServiceImpl> service_;
  // Destroyed after every executor has drained, so a call finished from an
  // executor never outlives its server.
  std::unique_ptr<grpc::Server> server_;

  // Shutdown, in the order it happens (bottom-up):
  // 8. The drives close (RocksDB) last.
  std::unique_ptr<storage::StorageNode> node_;
  // 7. /metrics stops.
  std::unique_ptr<http::MetricsServer> metrics_server_;
  // 6. The scrubber goes once nothing runs its passes.
  std::unique_ptr<scrubber::Scrubber> scrub_;
  // 5. Every executor runs what is queued; only then is what their tasks
  //    use destroyed. Writers mostly wait (fsync, group flush), so they get
  //    twice the threads; repair pulls and scrub-now passes block for long
  //    and get their own.
  std::unique_ptr<ThreadPoolExecutor> repair_executor_;
  std::unique_ptr<ThreadPoolExecutor> read_executor_;
  std::unique_ptr<ThreadPoolExecutor> write_executor_;
  // 4. The scrub passes' executor drains.
  std::unique_ptr<ThreadPoolExecutor> scrub_executor_;
  // 3. The scrub loops stop and passes are cancelled.
  ShutdownStep stop_scrub_;
  // 2. In-flight calls get 30 s to finish; acknowledged writes are durable
  //    already, so cutting the rest off loses nothing that was promised.
  ShutdownStep shutdown_server_;
  // 1. The coordinator link stops heartbeating.
  std::unique_ptr<rpc::CoordinatorLink> coordinator_link_;

  int grpc_port_ = 0;
  int metrics_port_ = 0;
};

}  // namespace drive::daemon
