#include "daemon/main/coordinator_daemon.h"

#include <chrono>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/env.h"
#include "common/status_macros.h"
#include "common/units.h"
#include "daemon/coordinator/coordinator_metrics.h"
#include "daemon/coordinator/embedded_meta_store.h"
#include "daemon/rpc/request_limits.h"
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

// The address other processes reach the bound server at: the --listen host
// (127.0.0.1 for a wildcard) and the bound port.
std::string ReachableAddress(const std::string& listen, int port) {
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host == "0.0.0.0" || host == "[::]" || host.empty()) host = "127.0.0.1";
  return absl::StrCat(host, ":", port);
}

}  // namespace

absl::StatusOr<std::unique_ptr<CoordinatorDaemon>> CoordinatorDaemon::Start(
    const CoordinatorFlags& flags, const CoordinatorSettings& settings) {
  std::unique_ptr<CoordinatorDaemon> d(new CoordinatorDaemon());
  DRIVE_RETURN_IF_ERROR(d->OpenState(flags, settings));
  d->CreateWorkers(flags, settings);
  DRIVE_RETURN_IF_ERROR(d->StartServing(flags, settings));
  DRIVE_RETURN_IF_ERROR(d->StartLeading(settings));
  return d;
}

absl::Status CoordinatorDaemon::OpenState(const CoordinatorFlags& flags,
                                          const CoordinatorSettings& settings) {
  DRIVE_ASSIGN_OR_RETURN(raw_store_, OpenMetaStore(flags, settings.etcd));
  store_ = raw_store_.get();
  if (settings.etcd.has_value()) {
    fenced_ = std::make_unique<coordinator::FencedMetaStore>(store_, &elected_);
    store_ = fenced_.get();
    leadership_ = &elected_;
  }
  leader_ =
      std::make_unique<coordinator::LeaderGate>(leadership_, fenced_.get());
  coordinator::RegistryOptions ro;
  ro.regions = settings.regions;
  ro.pg_count = flags.pg_count;
  ro.down_after = settings.down_after;
  ro.out_after = settings.out_after;
  registry_ =
      std::make_unique<coordinator::NodeRegistry>(store_, Env::Default(), ro);
  DRIVE_RETURN_IF_ERROR(registry_->Load());
  coordinator::NamespaceOptions no;
  no.trash_retention = settings.trash_retention;
  // On etcd, several coordinators may serve: only the leader changes the
  // namespace (fenced to its term); followers answer kUnavailable.
  no.leader_fence = fenced_.get();
  ns_ = std::make_unique<coordinator::Namespace>(store_, Env::Default(), no);
  DRIVE_RETURN_IF_ERROR(ns_->Load());
  coordinator::CoordinatorOptions co;
  co.admin_token = settings.admin_token;
  co.cluster_token = settings.cluster_token;
  co.allow_local_writes = flags.allow_local_writes;
  coord_ = std::make_unique<coordinator::Coordinator>(
      registry_.get(), ns_.get(), Env::Default(), co);
  // The cluster's own files (metadata backups) live in a reserved account.
  // A follower (kUnavailable: on etcd, nobody leads before the election
  // runs) leaves it to the leader's first backup.
  if (auto s = ns_->CreateAccount(coordinator::kSystemAccount, false);
      !s.ok() && !absl::IsAlreadyExists(s.status()) &&
      !absl::IsUnavailable(s.status())) {
    return s.status();
  }
  return absl::OkStatus();
}

void CoordinatorDaemon::CreateWorkers(const CoordinatorFlags& flags,
                                      const CoordinatorSettings& settings) {
  nodes_ = std::make_unique<rpc::GrpcNodeTransport>(settings.cluster_token);
  coordinator::RepairOptions repair_options;
  repair_options.pulls_per_drive = flags.repair_pulls_per_drive;
  repair_options.max_pulls = flags.repair_max_pulls;
  pull_executor_ =
      std::make_unique<ThreadPoolExecutor>(repair_options.max_pulls);
  planner_ = std::make_unique<coordinator::RepairPlanner>(
      registry_.get(), ns_.get(), nodes_.get(), pull_executor_.get(),
      Env::Default(), repair_options);
  stop_planner_.Set([this] { planner_->Stop(); });
  coordinator::GcOptions gc_options;
  gc_options.grace = settings.gc_grace;
  gc_ = std::make_unique<coordinator::GarbageCollector>(
      registry_.get(), ns_.get(), nodes_.get(), Env::Default(), gc_options);

  executor_ = std::make_unique<ThreadPoolExecutor>(flags.threads);
  watch_executor_ = std::make_unique<ThreadPoolExecutor>(16);
  long_executor_ = std::make_unique<ThreadPoolExecutor>(4);
  maintenance_executor_ = std::make_unique<ThreadPoolExecutor>(3);
  coordinator::ExportCoordinatorMetrics(&metrics_, {.coordinator = coord_.get(),
                                                    .registry = registry_.get(),
                                                    .ns = ns_.get(),
                                                    .planner = planner_.get(),
                                                    .leadership = leadership_});

  coordinator::MaintenanceOptions mo;
  mo.repair_interval = settings.repair_interval;
  mo.gc_interval = settings.gc_interval;
  mo.backup_interval = settings.backup_interval;
  maintenance_ = std::make_unique<coordinator::Maintenance>(
      [this] {
        return leader_->Run([&] {
          auto s = planner_->Sweep();
          if (!s.ok()) {
            spdlog::warn("event=repair_sweep_failed error=\"{}\"",
                         s.status().ToString());
            return false;
          }
          return s->found_work();
        });
      },
      [this] {
        leader_->Run([&] {
          gc_->Run(false).IgnoreError();  // logged by the collector
          return false;
        });
      },
      [this] {
        leader_->Run([&] {
          if (backup_) backup_->Run().IgnoreError();  // logged by the backup
          return false;
        });
      },
      Env::Default(), mo);
  stop_maintenance_.Set([this] { maintenance_->Stop(); });
  coord_->SetRepairPlanner(planner_.get(),
                           [this] { maintenance_->WakeRepair(); });
  // A reader's bad-copy report: have that drive verify (and so quarantine
  // and repair) the copy now rather than at its next scrub pass.
  bad_copies_ = std::make_unique<coordinator::BadReplicaChecker>(
      registry_.get(), nodes_.get(), long_executor_.get(), Env::Default());
  bad_copies_->HandleReportsOf(coord_.get());
}

absl::Status CoordinatorDaemon::StartServing(
    const CoordinatorFlags& flags, const CoordinatorSettings& settings) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort(flags.listen, grpc::InsecureServerCredentials(),
                           &grpc_port_);
  // Requests are received whole before anyone knows who sent them: the
  // limit is the largest legitimate one (a CommitFiles at the commit
  // limits), the quota bounds all of them together (docs/security.md).
  builder.SetMaxReceiveMessageSize(
      static_cast<int>(rpc::kMaxCoordinatorMessageBytes));
  grpc::ResourceQuota quota("coordinator");
  quota.Resize(settings.rpc_memory);
  builder.SetResourceQuota(quota);
  // Backups write through a client of this very coordinator, whose port is
  // known only after BuildAndStart; the sink learns it right after.
  coordinator::BackupOptions bo;
  bo.scratch_dir = flags.data + "-backup-scratch";
  bo.keep_daily = flags.backup_keep_daily;
  bo.keep_monthly = flags.backup_keep_monthly;
  backup_sink_ =
      std::make_unique<rpc::ClusterBackupSink>("", settings.admin_token);
  backup_ = std::make_unique<coordinator::MetadataBackup>(
      store_, ns_.get(), registry_.get(), nodes_.get(), backup_sink_.get(),
      Env::Default(), bo);
  rpc::CoordinatorAdminDeps admin_deps;
  admin_deps.leader = leader_.get();
  admin_deps.planner = planner_.get();
  admin_deps.gc = gc_.get();
  admin_deps.nodes = nodes_.get();
  admin_deps.maintenance = maintenance_.get();
  admin_deps.backup = backup_.get();
  service_ = std::make_unique<rpc::CoordinatorServiceImpl>(
      coord_.get(), executor_.get(), watch_executor_.get(), &metrics_,
      admin_deps, long_executor_.get());
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  if (!server_ || grpc_port_ == 0) {
    return absl::UnavailableError("cannot listen on " + flags.listen);
  }
  shutdown_server_.Set([this] {
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(5));
  });
  address_ = ReachableAddress(flags.listen, grpc_port_);
  backup_sink_->SetAddress(address_);
  maintenance_->Start(maintenance_executor_.get());
  metrics_server_ = std::make_unique<http::MetricsServer>(&metrics_);
  const std::string& ml = flags.metrics_listen;
  std::string mhost = ml.substr(0, ml.rfind(':'));
  int mport = std::atoi(ml.substr(ml.rfind(':') + 1).c_str());
  DRIVE_ASSIGN_OR_RETURN(
      metrics_port_,
      metrics_server_->Start(mhost, static_cast<uint16_t>(mport)));
  return absl::OkStatus();
}

absl::Status CoordinatorDaemon::StartLeading(
    const CoordinatorSettings& settings) {
  if (settings.etcd.has_value()) {
    etcd::LeaderElectionOptions lo;
    lo.target = *settings.etcd;
    lo.candidate = address_;
    lo.ttl = settings.leader_ttl;
    DRIVE_ASSIGN_OR_RETURN(
        election_, etcd::LeaderElection::Start(std::move(lo),
                                               [this](bool leader, int64_t) {
                                                 if (leader)
                                                   maintenance_->WakeRepair();
                                               }));
    elected_.Set(election_.get());
    hand_over_leadership_.Set([this] { elected_.Set(nullptr); });
  }
  // Liveness: the leader applies the down/out timeouts twice a second. The
  // embedded store's sole coordinator loaded the registry as leader.
  ticker_ = std::make_unique<coordinator::LivenessTicker>(
      registry_.get(), leader_.get(), !settings.etcd.has_value());
  ticker_->Start();
  return absl::OkStatus();
}

}  // namespace drive::daemon
