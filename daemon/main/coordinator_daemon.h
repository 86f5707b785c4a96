#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/executor.h"
#include "common/metrics.h"
#include "daemon/coordinator/bad_replica_checker.h"
#include "daemon/coordinator/coordinator.h"
#include "daemon/coordinator/fenced_meta_store.h"
#include "daemon/coordinator/garbage_collector.h"
#include "daemon/coordinator/leader_gate.h"
#include "daemon/coordinator/leadership.h"
#include "daemon/coordinator/liveness_ticker.h"
#include "daemon/coordinator/maintenance.h"
#include "daemon/coordinator/metadata_backup.h"
#include "daemon/coordinator/repair_planner.h"
#include "daemon/etcd/etcd_meta_store.h"
#include "daemon/etcd/leader_election.h"
#include "daemon/http/metrics_server.h"
#include "daemon/main/coordinator_main.h"
#include "daemon/main/process_util.h"
#include "daemon/rpc/cluster_backup_sink.h"
#include "daemon/rpc/coordinator_service.h"
#include "daemon/rpc/grpc_node_transport.h"
#include "grpcpp/grpcpp.h"

namespace drive::daemon {

// The coordinator's flags, parsed and checked (coordinator_main.cc).
struct CoordinatorSettings {
  std::string admin_token;
  std::string cluster_token;
  std::vector<std::string> regions;  // two distinct names
  absl::Duration down_after;
  absl::Duration out_after;  // > down_after
  absl::Duration trash_retention;
  absl::Duration repair_interval;
  absl::Duration gc_interval;
  absl::Duration gc_grace;
  absl::Duration backup_interval;
  absl::Duration leader_ttl;
  uint64_t rpc_memory = 0;
  std::optional<etcd::EtcdTarget> etcd;  // --meta; else the embedded store
};

// A running `drived coordinator`: metadata store, registry, namespace,
// repair, GC, backups, leader election, the gRPC service and /metrics.
// Destroying it shuts the coordinator down in its members' reverse order.
class CoordinatorDaemon {
 public:
  // Opens and loads the metadata, starts serving and, when it leads, the
  // maintenance loops. On an error, what was started is shut down again.
  static absl::StatusOr<std::unique_ptr<CoordinatorDaemon>> Start(
      const CoordinatorFlags& flags, const CoordinatorSettings& settings);
  ~CoordinatorDaemon() = default;
  CoordinatorDaemon(const CoordinatorDaemon&) = delete;
  CoordinatorDaemon& operator=(const CoordinatorDaemon&) = delete;

  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }
  uint64_t epoch() const { return registry_->epoch(); }

 private:
  // The election's view of leadership once it runs (it needs the server's
  // bound address); nobody leads before, nor after it is handed over.
  class LateLeadership final : public coordinator::Leadership {
   public:
    void Set(const coordinator::Leadership* l) { current_.store(l); }
    std::optional<int64_t> Term() const override {
      const coordinator::Leadership* l = current_.load();
      return l != nullptr ? l->Term() : std::nullopt;
    }

   private:
    std::atomic<const coordinator::Leadership*> current_{nullptr};
  };

  CoordinatorDaemon() = default;
  // The steps of Start, in order.
  absl::Status OpenState(const CoordinatorFlags& flags,
                         const CoordinatorSettings& settings);
  void CreateWorkers(const CoordinatorFlags& flags,
                     const CoordinatorSettings& settings);
  absl::Status StartServing(const CoordinatorFlags& flags,
                            const CoordinatorSettings& settings);
  absl::Status StartLeading(const CoordinatorSettings& settings);

  // Members are declared in start order and destroyed in reverse: the
  // member order IS the shutdown order, read bottom-up. The state and the
  // domain objects come first and go last; the ShutdownSteps and threads at
  // the bottom go first.
  std::unique_ptr<coordinator::MetaStore> raw_store_;
  // Leadership (docs/architecture.md, "Leader election and fencing"): on
  // etcd, the coordinator that holds the leader key runs liveness, repair,
  // GC and backups, and writes them through the fenced store; the embedded
  // store has one coordinator, always leader, nothing to fence.
  coordinator::FixedLeadership sole_coordinator_{0};
  LateLeadership elected_;
  std::unique_ptr<coordinator::FencedMetaStore> fenced_;  // etcd only
  coordinator::MetaStore* store_ = nullptr;  // fenced_ if any, else raw_store_
  const coordinator::Leadership* leadership_ = &sole_coordinator_;
  std::unique_ptr<coordinator::LeaderGate> leader_;
  std::unique_ptr<coordinator::NodeRegistry> registry_;
  std::unique_ptr<coordinator::Namespace> ns_;
  std::unique_ptr<coordinator::Coordinator> coord_;
  // Repair, GC and backups reach the nodes with the cluster token.
  std::unique_ptr<rpc::GrpcNodeTransport> nodes_;
  std::unique_ptr<ThreadPoolExecutor> pull_executor_;
  std::unique_ptr<coordinator::RepairPlanner> planner_;
  std::unique_ptr<coordinator::GarbageCollector> gc_;
  MetricsRegistry metrics_;
  std::unique_ptr<ThreadPoolExecutor> maintenance_executor_;
  // Backups write through a client of this very coordinator; the sink
  // learns its address once the server is bound.
  std::unique_ptr<rpc::ClusterBackupSink> backup_sink_;
  std::unique_ptr<coordinator::MetadataBackup> backup_;
  std::unique_ptr<coordinator::Maintenance> maintenance_;
  std::unique_ptr<coordinator::BadReplicaChecker> bad_copies_;
  std::unique_ptr<rpc::CoordinatorServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;

  // Shutdown, in the order it happens (bottom-up):
  // 7. /metrics stops last.
  std::unique_ptr<http::MetricsServer> metrics_server_;
  // 6. The executors run what is queued; the bad-copy checks on
  //    long_executor_ use bad_copies_, which outlives them.
  std::unique_ptr<ThreadPoolExecutor> long_executor_;
  std::unique_ptr<ThreadPoolExecutor> watch_executor_;
  std::unique_ptr<ThreadPoolExecutor> executor_;
  // 5. Calls in flight get 5 s (watches could wait up to a minute).
  ShutdownStep shutdown_server_;
  // 4. The maintenance loops stop, waiting for the rounds in progress.
  ShutdownStep stop_maintenance_;
  // 3. Repair stops planning and copying.
  ShutdownStep stop_planner_;
  // 2. Leadership is handed over; leader-only work still running is fenced.
  std::unique_ptr<etcd::LeaderElection> election_;
  ShutdownStep hand_over_leadership_;
  // 1. Liveness ticks stop.
  std::unique_ptr<coordinator::LivenessTicker> ticker_;

  int grpc_port_ = 0;
  int metrics_port_ = 0;
  std::string address_;  // where this coordinator is reached (bound port)
};

}  // namespace drive::daemon
