#include "daemon/main/node_main.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/grpc/coordinator_client.h"
#include "common/status_macros.h"
#include "common/units.h"
#include "daemon/main/node_daemon.h"
#include "daemon/main/process_util.h"
#include "spdlog/spdlog.h"

namespace drive::daemon {
namespace {

std::string DefaultNodeName() {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return host;
}

absl::StatusOr<std::vector<storage::DriveConfig>> DrivesFromFlags(
    const NodeFlags& flags) {
  DRIVE_ASSIGN_OR_RETURN(uint64_t reserve, ParseByteSize(flags.reserve));
  storage::DurabilityMode mode;
  if (flags.durability == "auto") {
    mode = storage::DurabilityMode::kAuto;
  } else if (flags.durability == "flush") {
    mode = storage::DurabilityMode::kFlush;
  } else if (flags.durability == "wal") {
    mode = storage::DurabilityMode::kWal;
  } else {
    return absl::InvalidArgumentError(
        "--durability must be auto, flush or wal");
  }
  std::vector<storage::DriveConfig> drives;
  for (const auto& spec : flags.drives) {
    std::vector<std::string> parts =
        absl::StrSplit(spec, absl::MaxSplits('=', 1));
    if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--drive wants NAME=PATH, got '", spec, "'"));
    }
    storage::DriveConfig d;
    d.name = parts[0];
    d.store.path = parts[1];
    d.store.pg_count = flags.pg_count;
    d.store.reserve_bytes = reserve;
    d.store.durability = mode;
    d.store.direct_writes = flags.direct_writes;
    drives.push_back(std::move(d));
  }
  return drives;
}

// Parses and checks the flags that are not plain values.
absl::StatusOr<NodeSettings> ParseSettings(const NodeFlags& flags,
                                           std::string name) {
  NodeSettings out;
  out.name = std::move(name);
  DRIVE_ASSIGN_OR_RETURN(out.cluster_token,
                         ReadSecret(flags.cluster_token_file,
                                    "DRIVE_CLUSTER_TOKEN", "cluster token"));
  DRIVE_ASSIGN_OR_RETURN(out.drives, DrivesFromFlags(flags));
  DRIVE_ASSIGN_OR_RETURN(auto metrics_addr,
                         SplitHostPort(flags.metrics_listen));
  out.metrics_host = metrics_addr.first;
  out.metrics_port = metrics_addr.second;
  DRIVE_ASSIGN_OR_RETURN(out.scrub_deadline,
                         ParseDurationText(flags.scrub_deadline));
  DRIVE_ASSIGN_OR_RETURN(out.scrub_max_rate,
                         ParseByteSize(flags.scrub_max_rate));
  DRIVE_ASSIGN_OR_RETURN(out.repair_rate, ParseByteSize(flags.repair_rate));
  DRIVE_ASSIGN_OR_RETURN(out.stream_idle_timeout,
                         ParseDurationText(flags.stream_idle_timeout));
  if (out.stream_idle_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--stream-idle-timeout must be > 0");
  }
  if (!flags.coordinator.empty()) {
    DRIVE_RETURN_IF_ERROR(ParseCoordinatorList(flags.coordinator).status());
  }
  return out;
}

}  // namespace

CLI::App* AddNodeCommand(CLI::App& app, NodeFlags& f) {
  CLI::App* cmd = app.add_subcommand("node", "Run a storage node");
  cmd->add_option("--name", f.name, "Node name (default: host name)");
  cmd->add_option("--listen", f.listen, "gRPC address HOST:PORT (port 0: any)")
      ->capture_default_str();
  cmd->add_option("--metrics-listen", f.metrics_listen,
                  "HTTP address for /metrics HOST:PORT (port 0: any)")
      ->capture_default_str();
  cmd->add_option("--drive", f.drives, "Drive as NAME=PATH; repeat per drive")
      ->required();
  cmd->add_option("--pg-count", f.pg_count, "Placement groups in the cluster")
      ->capture_default_str()
      ->check(CLI::Range(1, 65536));
  cmd->add_option("--reserve", f.reserve,
                  "Refuse writes when a drive's free space falls below this")
      ->capture_default_str();
  cmd->add_option(
         "--durability", f.durability,
         "auto (wal below 1 MiB, flush above), flush (group-committed "
         "memtable flushes, each byte written once) or wal (synced WAL)")
      ->capture_default_str();
  cmd->add_option("--cluster-token-file", f.cluster_token_file,
                  "File holding the cluster token (else $DRIVE_CLUSTER_TOKEN)");
  cmd->add_option("--region", f.region,
                  "Region of this node (one of the cluster's two)")
      ->capture_default_str();
  cmd->add_option("--zone", f.zone,
                  "Zone within the region (default: the region)");
  cmd->add_option("--host", f.host,
                  "Failure-domain host name (default: node name)");
  cmd->add_option("--coordinator", f.coordinator,
                  "Coordinator address HOST:PORT, or a list to fail over "
                  "between: [REGION=]HOST:PORT,...; empty runs standalone");
  cmd->add_option("--advertise", f.advertise,
                  "Address peers use to reach this node (default: the bound "
                  "listen address)");
  cmd->add_option("--ready-file", f.ready_file,
                  "Write bound ports as JSON here once serving");
  cmd->add_option("--direct-writes", f.direct_writes,
                  "Write flushed blob and SST files with O_DIRECT")
      ->capture_default_str();
  cmd->add_option("--threads", f.threads, "Threads for disk work")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_option("--scrub-deadline", f.scrub_deadline,
                  "Every copy is re-verified within this long (a pass is "
                  "paced to take half of it)")
      ->capture_default_str();
  cmd->add_option("--scrub-max-rate", f.scrub_max_rate,
                  "Fastest background scrub per drive, bytes/s (0: scrub "
                  "only on demand)")
      ->capture_default_str();
  cmd->add_option("--repair-rate", f.repair_rate,
                  "Bytes/s each drive receives as repair copies (0: no limit)")
      ->capture_default_str();
  cmd->add_option("--stream-idle-timeout", f.stream_idle_timeout,
                  "Cancel a PutChunk stream that sends nothing for this long")
      ->capture_default_str();
  cmd->add_option("--max-put-streams", f.max_put_streams,
                  "PutChunk streams open at once (more: RESOURCE_EXHAUSTED)")
      ->capture_default_str()
      ->check(CLI::Range(1, 65536));
  return cmd;
}

int RunNode(const NodeFlags& flags, const std::string& effective_config) {
  std::string name = flags.name.empty() ? DefaultNodeName() : flags.name;
  spdlog::info("event=node_starting node={} config=\n{}", name,
               effective_config);
  auto settings = ParseSettings(flags, name);
  if (!settings.ok()) return FailStartup(settings.status());
  auto daemon = NodeDaemon::Start(flags, *std::move(settings));
  if (!daemon.ok()) return FailStartup(daemon.status());
  NodeDaemon& d = **daemon;
  absl::Status ready =
      WriteReadyFile(flags.ready_file, d.grpc_port(), d.metrics_port());
  if (!ready.ok()) return FailStartup(ready);
  d.StartBackground(flags);
  spdlog::info(
      "event=node_serving node={} region={} grpc_port={} metrics_port={} "
      "drives={}",
      name, flags.region, d.grpc_port(), d.metrics_port(), d.drive_count());

  int sig = WaitForTerminationSignal();
  spdlog::info("event=node_stopping node={} signal={}", name, sig);
  daemon->reset();  // shuts down in NodeDaemon's member order
  spdlog::info("event=node_stopped node={}", name);
  return 0;
}

}  // namespace drive::daemon
