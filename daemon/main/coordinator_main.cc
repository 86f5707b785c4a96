#include "daemon/main/coordinator_main.h"

#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "common/units.h"
#include "daemon/coordinator/coordinator.h"
#include "daemon/http/metrics_server.h"
#include "daemon/main/process_util.h"
#include "daemon/rpc/coordinator_service.h"
#include "grpcpp/grpcpp.h"
#include "spdlog/spdlog.h"

namespace drive::daemon {

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
  for (const auto* d : {&down_after, &out_after, &retention}) {
    if (!d->ok()) return FailStartup(d->status());
  }
  if (*out_after <= *down_after) {
    return FailStartup(
        absl::InvalidArgumentError("--out-after must exceed --down-after"));
  }

  auto store = coordinator::MetaStore::Open(flags.data);
  if (!store.ok()) return FailStartup(store.status());
  coordinator::RegistryOptions ro;
  ro.regions = regions;
  ro.pg_count = flags.pg_count;
  ro.down_after = *down_after;
  ro.out_after = *out_after;
  coordinator::NodeRegistry registry(store->get(), Env::Default(), ro);
  if (absl::Status s = registry.Load(); !s.ok()) return FailStartup(s);
  coordinator::Namespace ns(store->get(), Env::Default(),
                            coordinator::NamespaceOptions{*retention});
  if (absl::Status s = ns.Load(); !s.ok()) return FailStartup(s);
  coordinator::Coordinator coord(
      &registry, &ns, Env::Default(),
      coordinator::CoordinatorOptions{*admin, *cluster});

  MetricsRegistry metrics;
  auto executor = std::make_unique<ThreadPoolExecutor>(flags.threads);
  auto watch_executor = std::make_unique<ThreadPoolExecutor>(16);
  rpc::CoordinatorServiceImpl service(&coord, executor.get(),
                                      watch_executor.get(), &metrics);
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
  });

  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(flags.listen, grpc::InsecureServerCredentials(),
                           &port);
  builder.SetMaxReceiveMessageSize(64 << 20);  // large session commits
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    return FailStartup(
        absl::UnavailableError("cannot listen on " + flags.listen));
  }
  http::MetricsServer metrics_server(&metrics);
  std::string mhost =
      flags.metrics_listen.substr(0, flags.metrics_listen.rfind(':'));
  int mport = std::atoi(
      flags.metrics_listen.substr(flags.metrics_listen.rfind(':') + 1).c_str());
  auto metrics_port = metrics_server.Start(mhost, static_cast<uint16_t>(mport));
  if (!metrics_port.ok()) return FailStartup(metrics_port.status());

  // Liveness: apply the down/out timeouts twice a second.
  absl::Notification stop_ticks;
  std::thread ticker([&] {
    while (
        !stop_ticks.WaitForNotificationWithTimeout(absl::Milliseconds(500))) {
      registry.Tick();
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
  // Watches can wait up to a minute; cut them off after a few seconds.
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  executor.reset();
  watch_executor.reset();
  metrics_server.Stop();
  spdlog::info("event=coordinator_stopped");
  return 0;
}

}  // namespace drive::daemon
