#include "daemon/main/coordinator_main.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "common/status_macros.h"
#include "common/units.h"
#include "daemon/coordinator/bad_replica_checker.h"
#include "daemon/coordinator/coordinator.h"
#include "daemon/coordinator/embedded_meta_store.h"
#include "daemon/coordinator/fenced_meta_store.h"
#include "daemon/coordinator/garbage_collector.h"
#include "daemon/coordinator/maintenance.h"
#include "daemon/coordinator/metadata_backup.h"
#include "daemon/coordinator/repair_planner.h"
#include "daemon/etcd/etcd_meta_store.h"
#include "daemon/etcd/leader_election.h"
#include "daemon/http/metrics_server.h"
#include "daemon/main/process_util.h"
#include "daemon/rpc/cluster_backup_sink.h"
#include "daemon/rpc/coordinator_service.h"
#include "daemon/rpc/grpc_node_transport.h"
#include "daemon/rpc/request_limits.h"
#include "grpcpp/grpcpp.h"
#include "spdlog/spdlog.h"

namespace drive::daemon {
namespace {

// The embedded store under --data, or etcd at `target`.
absl::StatusOr<std::unique_ptr<coordinator::MetaStore>> OpenMetaStore(
    const CoordinatorFlags& flags,
    const std::optional<etcd::EtcdTarget>& target) {
  if (!target.has_value())
    return coordinator::EmbeddedMetaStore::Open(flags.data);
  etcd::EtcdMetaOptions options;
  options.target = *target;
  auto max_bytes = ParseByteSize(flags.etcd_max_request_bytes);
  if (!max_bytes.ok() || *max_bytes < 64 * 1024 || *max_bytes > (1u << 30)) {
    return absl::InvalidArgumentError(
        "--etcd-max-request-bytes must be a size from 64KiB to 1GiB");
  }
  options.limits = {flags.etcd_max_txn_ops, static_cast<int64_t>(*max_bytes)};
  spdlog::info(
      "event=meta_store_etcd endpoints={} prefix={} max_txn_ops={} "
      "max_request_bytes={}",
      absl::StrJoin(options.target.endpoints, ","), options.target.prefix,
      options.limits.max_ops, options.limits.max_bytes);
  return etcd::EtcdMetaStore::Connect(std::move(options));
}

// The election's view of leadership once it runs (it needs the server's
// bound address); nobody leads before.
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

}  // namespace

CLI::App* AddCoordinatorCommand(CLI::App& app, CoordinatorFlags& f) {
  CLI::App* cmd =
      app.add_subcommand("coordinator", "Run the placement coordinator");
  cmd->add_option("--listen", f.listen, "gRPC address HOST:PORT (port 0: any)")
      ->capture_default_str();
  cmd->add_option("--metrics-listen", f.metrics_listen,
                  "HTTP address for /metrics")
      ->capture_default_str();
  cmd->add_option("--data", f.data, "Directory of the coordinator's database")
      ->required();
  cmd->add_option("--meta", f.meta,
                  "Metadata on etcd: etcd://HOST:PORT[,HOST:PORT...][/PREFIX] "
                  "(PREFIX default /drive); without it, in a RocksDB under "
                  "--data");
  cmd->add_option("--leader-ttl", f.leader_ttl,
                  "With --meta etcd://: lease TTL of the leader coordinator "
                  "(whole seconds); a dead leader is replaced within about "
                  "1.2x this plus 0.5s")
      ->capture_default_str();
  cmd->add_option("--etcd-max-txn-ops", f.etcd_max_txn_ops,
                  "With --meta etcd://: the etcd cluster's --max-txn-ops; "
                  "larger commits are refused before they are sent")
      ->capture_default_str()
      ->check(CLI::Range(16, 100000));
  cmd->add_option("--etcd-max-request-bytes", f.etcd_max_request_bytes,
                  "With --meta etcd://: the etcd cluster's "
                  "--max-request-bytes (64KiB..1GiB)")
      ->capture_default_str();
  cmd->add_option("--regions", f.regions,
                  "The cluster's two regions, comma-separated")
      ->capture_default_str();
  cmd->add_option("--pg-count", f.pg_count,
                  "Placement groups (fixed at creation)")
      ->capture_default_str()
      ->check(CLI::Range(1, 65536));
  cmd->add_option("--down-after", f.down_after,
                  "Silence after which a node is down")
      ->capture_default_str();
  cmd->add_option("--out-after", f.out_after,
                  "Silence after which a node is out and its PGs remapped")
      ->capture_default_str();
  cmd->add_option("--trash-retention", f.trash_retention,
                  "How long deleted files stay restorable")
      ->capture_default_str();
  cmd->add_option("--admin-token-file", f.admin_token_file,
                  "File with the admin token (else $DRIVE_ADMIN_TOKEN)");
  cmd->add_option("--cluster-token-file", f.cluster_token_file,
                  "File with the cluster token (else $DRIVE_CLUSTER_TOKEN)");
  cmd->add_option("--ready-file", f.ready_file,
                  "Write bound ports as JSON here");
  cmd->add_option("--threads", f.threads, "Threads for blocking work")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_option("--repair-interval", f.repair_interval,
                  "Time between anti-entropy sweeps when nothing is wrong")
      ->capture_default_str();
  cmd->add_option("--repair-pulls-per-drive", f.repair_pulls_per_drive,
                  "Repair copy calls in flight per receiving drive")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd->add_option("--repair-max-pulls", f.repair_max_pulls,
                  "Repair copy calls in flight in the whole cluster")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_option("--gc-interval", f.gc_interval,
                  "Time between garbage collections (0: only on demand)")
      ->capture_default_str();
  cmd->add_option("--gc-grace", f.gc_grace,
                  "How long an unreferenced chunk is kept before collection")
      ->capture_default_str();
  cmd->add_option("--backup-interval", f.backup_interval,
                  "Time between metadata backups into the cluster (0: off); "
                  "a restore loses at most the changes of one interval")
      ->capture_default_str();
  cmd->add_option("--backup-keep-daily", f.backup_keep_daily,
                  "Keep the newest backup of this many recent days")
      ->capture_default_str()
      ->check(CLI::Range(1, 3650));
  cmd->add_option("--backup-keep-monthly", f.backup_keep_monthly,
                  "Keep the newest backup of this many recent months")
      ->capture_default_str()
      ->check(CLI::Range(0, 1200));
  cmd->add_option("--allow-local-writes", f.allow_local_writes,
                  "Degraded mode: accept commits with copies in one region "
                  "only (durability \"local\")")
      ->capture_default_str();
  cmd->add_option("--rpc-memory", f.rpc_memory,
                  "Memory gRPC may hold for calls in flight; beyond it, "
                  "calls are cut off with RESOURCE_EXHAUSTED")
      ->capture_default_str();
  return cmd;
}

int RunCoordinator(const CoordinatorFlags& flags,
                   const std::string& effective_config) {
  spdlog::info("event=coordinator_starting config=\n{}", effective_config);
  auto admin =
      ReadSecret(flags.admin_token_file, "DRIVE_ADMIN_TOKEN", "admin token");
  if (!admin.ok()) return FailStartup(admin.status());
  auto cluster = ReadSecret(flags.cluster_token_file, "DRIVE_CLUSTER_TOKEN",
                            "cluster token");
  if (!cluster.ok()) return FailStartup(cluster.status());
  std::vector<std::string> regions = absl::StrSplit(flags.regions, ',');
  if (regions.size() != 2 || regions[0].empty() || regions[1].empty() ||
      regions[0] == regions[1]) {
    return FailStartup(
        absl::InvalidArgumentError("--regions wants two distinct names"));
  }
  auto down_after = ParseDurationText(flags.down_after);
  auto out_after = ParseDurationText(flags.out_after);
  auto retention = ParseDurationText(flags.trash_retention);
  auto repair_interval = ParseDurationText(flags.repair_interval);
  auto gc_interval = ParseDurationText(flags.gc_interval);
  auto gc_grace = ParseDurationText(flags.gc_grace);
  auto backup_interval = ParseDurationText(flags.backup_interval);
  auto leader_ttl = ParseDurationText(flags.leader_ttl);
  for (const auto* d :
       {&down_after, &out_after, &retention, &repair_interval, &gc_interval,
        &gc_grace, &backup_interval, &leader_ttl}) {
    if (!d->ok()) return FailStartup(d->status());
  }
  auto rpc_memory = ParseByteSize(flags.rpc_memory);
  if (!rpc_memory.ok()) return FailStartup(rpc_memory.status());
  if (*out_after <= *down_after) {
    return FailStartup(
        absl::InvalidArgumentError("--out-after must exceed --down-after"));
  }

  std::optional<etcd::EtcdTarget> etcd_target;
  if (!flags.meta.empty()) {
    auto target = etcd::ParseEtcdUrl(flags.meta);
    if (!target.ok()) return FailStartup(target.status());
    etcd_target = *target;
  }
  auto raw_store = OpenMetaStore(flags, etcd_target);
  if (!raw_store.ok()) return FailStartup(raw_store.status());
  // Leadership (docs/architecture.md, "Leader election and fencing"): on
  // etcd, the coordinator that holds the leader key runs liveness, repair,
  // GC and backups, and writes them through the fenced store; the embedded
  // store has one coordinator, always leader, nothing to fence.
  coordinator::FixedLeadership sole_coordinator(0);
  LateLeadership elected;
  std::unique_ptr<coordinator::FencedMetaStore> fenced;
  const coordinator::Leadership* leadership = &sole_coordinator;
  coordinator::MetaStore* store = raw_store->get();
  if (etcd_target.has_value()) {
    fenced = std::make_unique<coordinator::FencedMetaStore>(store, &elected);
    store = fenced.get();
    leadership = &elected;
  }
  // Runs fn as the leader would, or not at all (false) on a follower.
  auto as_leader = [&](const std::function<bool()>& fn) {
    if (!leadership->is_leader()) return false;
    coordinator::FencedMetaStore::LeaderScope scope(fenced.get());
    return fn();
  };
  coordinator::RegistryOptions ro;
  ro.regions = regions;
  ro.pg_count = flags.pg_count;
  ro.down_after = *down_after;
  ro.out_after = *out_after;
  coordinator::NodeRegistry registry(store, Env::Default(), ro);
  if (absl::Status s = registry.Load(); !s.ok()) return FailStartup(s);
  coordinator::Namespace ns(store, Env::Default(),
                            coordinator::NamespaceOptions{*retention});
  if (absl::Status s = ns.Load(); !s.ok()) return FailStartup(s);
  coordinator::CoordinatorOptions co;
  co.admin_token = *admin;
  co.cluster_token = *cluster;
  co.allow_local_writes = flags.allow_local_writes;
  coordinator::Coordinator coord(&registry, &ns, Env::Default(), co);
  // The cluster's own files (metadata backups) live in a reserved account.
  if (auto s = ns.CreateAccount(coordinator::kSystemAccount, false);
      !s.ok() && !absl::IsAlreadyExists(s.status())) {
    return FailStartup(s.status());
  }

  // Repair, GC and backups reach the nodes with the cluster token.
  rpc::GrpcNodeTransport nodes(*cluster);
  coordinator::RepairOptions repair_options;
  repair_options.pulls_per_drive = flags.repair_pulls_per_drive;
  repair_options.max_pulls = flags.repair_max_pulls;
  auto pull_executor =
      std::make_unique<ThreadPoolExecutor>(repair_options.max_pulls);
  coordinator::RepairPlanner planner(&registry, &ns, &nodes,
                                     pull_executor.get(), Env::Default(),
                                     repair_options);
  coordinator::GcOptions gc_options;
  gc_options.grace = *gc_grace;
  coordinator::GarbageCollector gc(&registry, &ns, &nodes, Env::Default(),
                                   gc_options);

  MetricsRegistry metrics;
  auto executor = std::make_unique<ThreadPoolExecutor>(flags.threads);
  auto watch_executor = std::make_unique<ThreadPoolExecutor>(16);
  auto long_executor = std::make_unique<ThreadPoolExecutor>(4);
  auto maintenance_executor = std::make_unique<ThreadPoolExecutor>(3);
  metrics.AddRefreshHook([&] {
    auto h = coord.Health();
    metrics.GetGauge("drive_pgs", "PGs by health", "health=\"full\"")
        ->Set(h.full);
    metrics.GetGauge("drive_pgs", "PGs by health", "health=\"degraded\"")
        ->Set(h.degraded);
    metrics.GetGauge("drive_pgs", "PGs by health", "health=\"one_region\"")
        ->Set(h.one_region);
    metrics.GetGauge("drive_pgs", "PGs by health", "health=\"unavailable\"")
        ->Set(h.unavailable);
    metrics.GetGauge("drive_placement_epoch", "Current placement epoch")
        ->Set(static_cast<double>(registry.epoch()));
    metrics.GetGauge("drive_files", "Files in the namespace")
        ->Set(ns.file_count());
    metrics
        .GetGauge("drive_coordinator_leader",
                  "1 while this coordinator is the cluster's leader")
        ->Set(leadership->is_leader() ? 1 : 0);
    auto repair = planner.Status();
    uint64_t backlog = 0;
    for (const auto& e : repair.backlog) backlog += e.bytes;
    metrics
        .GetGauge("drive_repair_backlog_bytes",
                  "Bytes of missing copies the last sweep found")
        ->Set(static_cast<double>(backlog));
    metrics
        .GetGauge("drive_repair_copied_bytes",
                  "Bytes copied by repair since start")
        ->Set(static_cast<double>(repair.copied_bytes));
    metrics
        .GetGauge("drive_lost_chunks",
                  "Referenced chunks that no drive holds (lost data)")
        ->Set(static_cast<double>(repair.lost.chunks));
    // The oldest verification of any copy on any drive that reported one.
    auto view = registry.View();
    int64_t oldest = 0;
    int failed = 0;
    for (const auto& d : view->drives) {
      failed += d.failed;
      if (!d.scrub.reported) continue;
      if (oldest == 0 || d.scrub.oldest_verified_unix_s < oldest)
        oldest = d.scrub.oldest_verified_unix_s;
    }
    metrics
        .GetGauge("drive_oldest_verification_age_seconds",
                  "Age of the oldest copy verification on any drive")
        ->Set(oldest == 0 ? 0.0
                          : absl::ToDoubleSeconds(
                                absl::Now() - absl::FromUnixSeconds(oldest)));
    metrics
        .GetGauge("drive_drives_failed",
                  "Drives their nodes report as failed (cannot be opened)")
        ->Set(failed);
  });

  // The backup sink talks to this coordinator's own address, known only
  // once the server is bound; it connects on first use.
  std::unique_ptr<rpc::ClusterBackupSink> backup_sink;
  std::unique_ptr<coordinator::MetadataBackup> backup;
  coordinator::MaintenanceOptions mo;
  mo.repair_interval = *repair_interval;
  mo.gc_interval = *gc_interval;
  mo.backup_interval = *backup_interval;
  coordinator::Maintenance maintenance(
      [&] {
        return as_leader([&] {
          auto s = planner.Sweep();
          if (!s.ok()) {
            spdlog::warn("event=repair_sweep_failed error=\"{}\"",
                         s.status().ToString());
            return false;
          }
          return s->found_work();
        });
      },
      [&] {
        as_leader([&] {
          gc.Run(false).IgnoreError();  // logged by the collector
          return false;
        });
      },
      [&] {
        as_leader([&] {
          if (backup) backup->Run().IgnoreError();  // logged by the backup
          return false;
        });
      },
      mo);
  coord.SetRepairPlanner(&planner, [&] { maintenance.WakeRepair(); });
  // A reader's bad-copy report: have that drive verify (and so quarantine
  // and repair) the copy now rather than at its next scrub pass.
  coordinator::BadReplicaChecker bad_copies(
      &registry, &nodes, long_executor.get(), Env::Default());
  coord.SetBadReportHandler([&](const std::string& caller,
                                const std::string& account, const ChunkId& id,
                                const std::string& drive_id) {
    return bad_copies.Report(caller, account, id, drive_id);
  });
  rpc::CoordinatorAdminDeps admin_deps;
  admin_deps.planner = &planner;
  admin_deps.gc = &gc;
  admin_deps.nodes = &nodes;
  admin_deps.maintenance = &maintenance;

  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(flags.listen, grpc::InsecureServerCredentials(),
                           &port);
  // Requests are received whole before anyone knows who sent them: the
  // limit is the largest legitimate one (a CommitFiles at the commit
  // limits), the quota bounds all of them together (docs/security.md).
  builder.SetMaxReceiveMessageSize(
      static_cast<int>(rpc::kMaxCoordinatorMessageBytes));
  grpc::ResourceQuota quota("coordinator");
  quota.Resize(*rpc_memory);
  builder.SetResourceQuota(quota);
  // Backups write through a client of this very coordinator, whose port is
  // known only after BuildAndStart; the sink learns it right after.
  std::string scratch = flags.data + "-backup-scratch";
  coordinator::BackupOptions bo;
  bo.scratch_dir = scratch;
  bo.keep_daily = flags.backup_keep_daily;
  bo.keep_monthly = flags.backup_keep_monthly;
  backup_sink = std::make_unique<rpc::ClusterBackupSink>("", *admin);
  backup = std::make_unique<coordinator::MetadataBackup>(
      store, &ns, &registry, &nodes, backup_sink.get(), Env::Default(), bo);
  admin_deps.backup = backup.get();
  rpc::CoordinatorServiceImpl service(&coord, executor.get(),
                                      watch_executor.get(), &metrics,
                                      admin_deps, long_executor.get());
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    return FailStartup(
        absl::UnavailableError("cannot listen on " + flags.listen));
  }
  std::string listen_host = flags.listen.substr(0, flags.listen.rfind(':'));
  if (listen_host == "0.0.0.0" || listen_host == "[::]" || listen_host.empty())
    listen_host = "127.0.0.1";
  backup_sink->SetAddress(absl::StrCat(listen_host, ":", port));
  maintenance.Start(maintenance_executor.get());
  http::MetricsServer metrics_server(&metrics);
  std::string mhost =
      flags.metrics_listen.substr(0, flags.metrics_listen.rfind(':'));
  int mport = std::atoi(
      flags.metrics_listen.substr(flags.metrics_listen.rfind(':') + 1).c_str());
  auto metrics_port = metrics_server.Start(mhost, static_cast<uint16_t>(mport));
  if (!metrics_port.ok()) return FailStartup(metrics_port.status());

  std::unique_ptr<etcd::LeaderElection> election;
  if (etcd_target.has_value()) {
    etcd::LeaderElectionOptions lo;
    lo.target = *etcd_target;
    lo.candidate = absl::StrCat(listen_host, ":", port);
    lo.ttl = *leader_ttl;
    auto started =
        etcd::LeaderElection::Start(std::move(lo), [&](bool leader, int64_t) {
          if (leader) maintenance.WakeRepair();
        });
    if (!started.ok()) return FailStartup(started.status());
    election = std::move(*started);
    elected.Set(election.get());
  }

  // Liveness: the leader applies the down/out timeouts twice a second.
  absl::Notification stop_ticks;
  std::thread ticker([&] {
    bool was_leader = !etcd_target.has_value();  // loaded at start
    while (
        !stop_ticks.WaitForNotificationWithTimeout(absl::Milliseconds(500))) {
      bool leader = as_leader([&] {
        if (!was_leader) {
          // A new term: take over the registry as stored (epoch, operator
          // sets, nodes), every node counted as just heard from so that
          // the takeover itself marks nobody down.
          absl::Status s = registry.Load();
          if (!s.ok()) {
            spdlog::warn("event=leader_registry_load_failed error=\"{}\"",
                         s.ToString());
            return false;
          }
        }
        registry.Tick();
        return true;
      });
      was_leader = leader;
    }
  });

  if (!flags.ready_file.empty()) {
    absl::Status s = WriteFileAtomically(
        flags.ready_file, absl::StrCat("{\"grpc_port\": ", port,
                                       ", \"metrics_port\": ", *metrics_port,
                                       ", \"pid\": ", getpid(), "}\n"));
    if (!s.ok()) return FailStartup(s);
  }
  spdlog::info(
      "event=coordinator_serving grpc_port={} metrics_port={} regions={} "
      "pg_count={} epoch={}",
      port, *metrics_port, flags.regions, flags.pg_count, registry.epoch());

  int sig = WaitForTerminationSignal();
  spdlog::info("event=coordinator_stopping signal={}", sig);
  stop_ticks.Notify();
  ticker.join();
  // Hand leadership over now; leader-only work still running is fenced.
  elected.Set(nullptr);
  election.reset();
  planner.Stop();
  maintenance.Stop();
  // Watches can wait up to a minute; cut them off after a few seconds.
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  executor.reset();
  watch_executor.reset();
  long_executor.reset();  // its bad-copy checks use bad_copies
  metrics_server.Stop();
  spdlog::info("event=coordinator_stopped");
  return 0;
}

}  // namespace drive::daemon
