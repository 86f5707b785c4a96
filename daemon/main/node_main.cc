#include "daemon/main/node_main.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/grpc/coordinator_client.h"
#include "common/status_macros.h"
#include "common/units.h"
#include "daemon/http/metrics_server.h"
#include "daemon/main/process_util.h"
#include "daemon/rpc/coordinator_link.h"
#include "daemon/rpc/node_map.h"
#include "daemon/rpc/node_service.h"
#include "daemon/rpc/peer_fetcher.h"
#include "daemon/scrubber/scrubber.h"
#include "grpcpp/grpcpp.h"
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
  auto token = ReadSecret(flags.cluster_token_file, "DRIVE_CLUSTER_TOKEN",
                          "cluster token");
  if (!token.ok()) return FailStartup(token.status());
  auto drives = DrivesFromFlags(flags);
  if (!drives.ok()) return FailStartup(drives.status());
  auto metrics_addr = SplitHostPort(flags.metrics_listen);
  if (!metrics_addr.ok()) return FailStartup(metrics_addr.status());

  auto node = storage::StorageNode::Open(name, std::move(*drives));
  if (!node.ok()) return FailStartup(node.status());
  // One bad disk does not stop the node: it serves the other drives and
  // reports this one (log, metric, heartbeats) until it is replaced.
  for (const auto& f : (*node)->failed_drives()) {
    spdlog::error("event=drive_failed node={} drive={} path={} error=\"{}\"",
                  name, f.name, f.path, f.status.ToString());
  }

  auto scrub_deadline = ParseDurationText(flags.scrub_deadline);
  if (!scrub_deadline.ok()) return FailStartup(scrub_deadline.status());
  auto scrub_rate = ParseByteSize(flags.scrub_max_rate);
  if (!scrub_rate.ok()) return FailStartup(scrub_rate.status());
  auto repair_rate = ParseByteSize(flags.repair_rate);
  if (!repair_rate.ok()) return FailStartup(repair_rate.status());
  auto idle_timeout = ParseDurationText(flags.stream_idle_timeout);
  if (!idle_timeout.ok()) return FailStartup(idle_timeout.status());
  if (*idle_timeout <= absl::ZeroDuration()) {
    return FailStartup(
        absl::InvalidArgumentError("--stream-idle-timeout must be > 0"));
  }

  // Repair copies and scrub findings are read from PG peers with the
  // cluster token, using this node's copy of the placement map.
  PeerChannels repair_peers;
  rpc::PeerFetcher fetcher(&repair_peers, *token);
  rpc::NodeMapCache map_cache;
  rpc::MapRepairSource repair_source(&map_cache, &fetcher, name, flags.region);
  std::vector<std::pair<std::string, storage::ChunkStore*>> stores;
  for (const auto& d : (*node)->drive_names()) {
    stores.push_back({d, *(*node)->drive(d)});
  }
  scrubber::ScrubOptions so;
  so.deadline = *scrub_deadline;
  so.max_rate_bytes = static_cast<double>(*scrub_rate);
  so.min_rate_bytes = so.max_rate_bytes > 0
                          ? std::min(so.min_rate_bytes, so.max_rate_bytes)
                          : so.min_rate_bytes;
  auto scrub =
      scrubber::Scrubber::Create(stores, &repair_source, Env::Default(), so);
  if (!scrub.ok()) return FailStartup(scrub.status());

  MetricsRegistry registry;
  // Writers mostly wait (fsync, group flush), so they get twice the threads.
  auto write_executor = std::make_unique<ThreadPoolExecutor>(2 * flags.threads);
  auto read_executor = std::make_unique<ThreadPoolExecutor>(flags.threads);
  // Repair pulls and scrub-now passes block for long: their own threads.
  auto repair_executor = std::make_unique<ThreadPoolExecutor>(flags.threads);
  auto scrub_executor =
      std::make_unique<ThreadPoolExecutor>(static_cast<int>(stores.size()));
  rpc::NodeServiceOptions service_options{*token, flags.region,
                                          static_cast<double>(*repair_rate)};
  service_options.map = &map_cache;  // forwards go to map members only
  service_options.stream_idle_timeout = *idle_timeout;
  service_options.max_put_streams = flags.max_put_streams;
  rpc::NodeRepairDeps repair_deps{scrub->get(), &fetcher,
                                  repair_executor.get()};
  rpc::NodeServiceImpl service(node->get(), write_executor.get(),
                               read_executor.get(), &registry, service_options,
                               repair_deps);
  service.ExportDriveMetrics();
  auto drive_failed = [&](const std::string& drive) {
    return registry.GetGauge("drive_drive_failed",
                             "1 when the drive could not be opened",
                             absl::StrCat("drive=\"", drive, "\""));
  };
  for (const auto& d : (*node)->drive_names()) drive_failed(d)->Set(0);
  for (const auto& f : (*node)->failed_drives()) drive_failed(f.name)->Set(1);

  grpc::ServerBuilder builder;
  int grpc_port = 0;
  builder.AddListeningPort(flags.listen, grpc::InsecureServerCredentials(),
                           &grpc_port);
  // Room for one 1 MiB data message plus framing; anything larger is
  // rejected by gRPC itself with RESOURCE_EXHAUSTED.
  builder.SetMaxReceiveMessageSize(rpc::kMaxChunkMessageBytes + 64 * 1024);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || grpc_port == 0) {
    return FailStartup(
        absl::UnavailableError("cannot listen on " + flags.listen));
  }
  http::MetricsServer metrics_server(&registry);
  auto metrics_port =
      metrics_server.Start(metrics_addr->first, metrics_addr->second);
  if (!metrics_port.ok()) return FailStartup(metrics_port.status());

  if (!flags.coordinator.empty()) {
    if (auto list = ParseCoordinatorList(flags.coordinator); !list.ok()) {
      return FailStartup(list.status());
    }
  }
  if (!flags.ready_file.empty()) {
    std::string ready = absl::StrCat("{\"grpc_port\": ", grpc_port,
                                     ", \"metrics_port\": ", *metrics_port,
                                     ", \"pid\": ", getpid(), "}\n");
    absl::Status s = WriteFileAtomically(flags.ready_file, ready);
    if (!s.ok()) return FailStartup(s);
  }
  std::unique_ptr<rpc::CoordinatorLink> coordinator_link;
  if (!flags.coordinator.empty()) {
    rpc::CoordinatorLinkOptions lo;
    lo.coordinator = flags.coordinator;
    lo.cluster_token = *token;
    lo.node = name;
    std::string listen_host = flags.listen.substr(0, flags.listen.rfind(':'));
    lo.address = flags.advertise.empty()
                     ? absl::StrCat(listen_host, ":", grpc_port)
                     : flags.advertise;
    lo.region = flags.region;
    lo.zone = flags.zone.empty() ? flags.region : flags.zone;
    lo.host = flags.host.empty() ? name : flags.host;
    lo.map = &map_cache;
    lo.scrubber = scrub->get();
    coordinator_link = std::make_unique<rpc::CoordinatorLink>(node->get(), lo);
    coordinator_link->Start();
  }
  (*scrub)->Start(scrub_executor.get());
  spdlog::info(
      "event=node_serving node={} region={} grpc_port={} metrics_port={} "
      "drives={}",
      name, flags.region, grpc_port, *metrics_port,
      (*node)->drive_names().size());

  int sig = WaitForTerminationSignal();
  spdlog::info("event=node_stopping node={} signal={}", name, sig);
  // In-flight calls get 30 s to finish; acknowledged writes are durable
  // already, so cutting the rest off loses nothing that was promised.
  coordinator_link.reset();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(30));
  // Stop the scrub loops and cancel passes, then drain every executor, and
  // only then destroy what their tasks use.
  (*scrub)->Stop();
  scrub_executor.reset();
  write_executor.reset();  // runs every task already queued
  read_executor.reset();
  repair_executor.reset();
  scrub->reset();
  metrics_server.Stop();
  node->reset();  // closes RocksDB
  spdlog::info("event=node_stopped node={}", name);
  return 0;
}

}  // namespace drive::daemon
