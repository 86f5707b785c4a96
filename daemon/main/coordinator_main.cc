#include "daemon/main/coordinator_main.h"

#include <utility>

#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "common/units.h"
#include "daemon/main/coordinator_daemon.h"
#include "daemon/main/process_util.h"
#include "spdlog/spdlog.h"

namespace drive::daemon {
namespace {

// Parses and checks the flags that are not plain values.
absl::StatusOr<CoordinatorSettings> ParseSettings(
    const CoordinatorFlags& flags) {
  CoordinatorSettings out;
  DRIVE_ASSIGN_OR_RETURN(
      out.admin_token,
      ReadSecret(flags.admin_token_file, "DRIVE_ADMIN_TOKEN", "admin token"));
  DRIVE_ASSIGN_OR_RETURN(out.cluster_token,
                         ReadSecret(flags.cluster_token_file,
                                    "DRIVE_CLUSTER_TOKEN", "cluster token"));
  out.regions = absl::StrSplit(flags.regions, ',');
  if (out.regions.size() != 2 || out.regions[0].empty() ||
      out.regions[1].empty() || out.regions[0] == out.regions[1]) {
    return absl::InvalidArgumentError("--regions wants two distinct names");
  }
  using Field = std::pair<const std::string*, absl::Duration*>;
  for (auto [text, d] : std::initializer_list<Field>{
           {&flags.down_after, &out.down_after},
           {&flags.out_after, &out.out_after},
           {&flags.trash_retention, &out.trash_retention},
           {&flags.repair_interval, &out.repair_interval},
           {&flags.gc_interval, &out.gc_interval},
           {&flags.gc_grace, &out.gc_grace},
           {&flags.backup_interval, &out.backup_interval},
           {&flags.leader_ttl, &out.leader_ttl}}) {
    DRIVE_ASSIGN_OR_RETURN(*d, ParseDurationText(*text));
  }
  DRIVE_ASSIGN_OR_RETURN(out.rpc_memory, ParseByteSize(flags.rpc_memory));
  if (out.out_after <= out.down_after) {
    return absl::InvalidArgumentError("--out-after must exceed --down-after");
  }
  if (!flags.meta.empty()) {
    DRIVE_ASSIGN_OR_RETURN(out.etcd, etcd::ParseEtcdUrl(flags.meta));
  }
  return out;
}

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
  auto settings = ParseSettings(flags);
  if (!settings.ok()) return FailStartup(settings.status());
  auto daemon = CoordinatorDaemon::Start(flags, *settings);
  if (!daemon.ok()) return FailStartup(daemon.status());
  const CoordinatorDaemon& d = **daemon;
  absl::Status ready =
      WriteReadyFile(flags.ready_file, d.grpc_port(), d.metrics_port());
  if (!ready.ok()) return FailStartup(ready);
  spdlog::info(
      "event=coordinator_serving grpc_port={} metrics_port={} regions={} "
      "pg_count={} epoch={}",
      d.grpc_port(), d.metrics_port(), flags.regions, flags.pg_count,
      d.epoch());

  int sig = WaitForTerminationSignal();
  spdlog::info("event=coordinator_stopping signal={}", sig);
  daemon->reset();  // shuts down in CoordinatorDaemon's member order
  spdlog::info("event=coordinator_stopped");
  return 0;
}

}  // namespace drive::daemon
