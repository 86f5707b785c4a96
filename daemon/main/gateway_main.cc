#include "daemon/main/gateway_main.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "common/executor.h"
#include "common/grpc/coordinator_client.h"
#include "common/metrics.h"
#include "common/status_macros.h"
#include "common/units.h"
#include "daemon/gateway/cluster_access.h"
#include "daemon/gateway/cors_policy.h"
#include "daemon/gateway/gateway.h"
#include "daemon/gateway/http_server.h"
#include "daemon/gateway/url_signer.h"
#include "daemon/main/process_util.h"
#include "spdlog/spdlog.h"

namespace drive::daemon {
namespace {

struct Settings {
  gateway::HttpServerOptions server;
  gateway::ClusterAccessOptions access;
  gateway::GatewayOptions gateway;
  absl::Duration shutdown_grace;
};

absl::StatusOr<Settings> SettingsFromFlags(const GatewayFlags& f) {
  Settings s;
  if (f.coordinator.empty()) {
    return absl::InvalidArgumentError("--coordinator is required");
  }
  DRIVE_RETURN_IF_ERROR(ParseCoordinatorList(f.coordinator).status());
  DRIVE_ASSIGN_OR_RETURN(auto listen, SplitHostPort(f.listen));
  s.server.host = listen.first;
  s.server.port = listen.second;
  s.server.threads = f.threads;
  s.server.max_connections = f.max_connections;
  s.server.max_connections_per_ip = f.max_connections_per_ip;
  DRIVE_ASSIGN_OR_RETURN(uint64_t header_bytes,
                         ParseByteSize(f.max_header_bytes));
  DRIVE_ASSIGN_OR_RETURN(uint64_t url_bytes, ParseByteSize(f.max_url_bytes));
  if (url_bytes >= header_bytes) {
    return absl::InvalidArgumentError(
        "--max-url-bytes must be below --max-header-bytes");
  }
  s.server.limits.max_header_bytes = header_bytes;
  s.server.limits.max_target_bytes = url_bytes;
  DRIVE_ASSIGN_OR_RETURN(s.server.limits.max_body_bytes,
                         ParseByteSize(f.max_upload_bytes));
  DRIVE_ASSIGN_OR_RETURN(s.server.limits.header_timeout,
                         ParseDurationText(f.header_timeout));
  DRIVE_ASSIGN_OR_RETURN(s.server.limits.io_timeout,
                         ParseDurationText(f.io_timeout));
  DRIVE_ASSIGN_OR_RETURN(s.shutdown_grace, ParseDurationText(f.shutdown_grace));

  s.access.coordinator = f.coordinator;
  s.access.region = f.region;
  DRIVE_ASSIGN_OR_RETURN(s.access.manifest_ttl,
                         ParseDurationText(f.manifest_ttl));
  DRIVE_ASSIGN_OR_RETURN(s.access.token_ttl, ParseDurationText(f.token_ttl));
  s.access.token_refused_ttl = std::min(s.access.token_ttl, absl::Seconds(5));
  DRIVE_ASSIGN_OR_RETURN(s.access.chunk_cache_bytes,
                         ParseByteSize(f.chunk_cache));
  DRIVE_ASSIGN_OR_RETURN(s.access.cache_max_file_bytes,
                         ParseByteSize(f.cache_max_file));
  DRIVE_ASSIGN_OR_RETURN(s.access.buffer_budget_bytes,
                         ParseByteSize(f.buffer_budget));
  if (s.access.buffer_budget_bytes < 2 * kMaxChunkBytes) {
    return absl::InvalidArgumentError(
        "--buffer-budget must hold at least two chunks (8MiB)");
  }

  s.gateway.public_url = f.public_url;
  while (!s.gateway.public_url.empty() && s.gateway.public_url.back() == '/') {
    s.gateway.public_url.pop_back();
  }
  DRIVE_ASSIGN_OR_RETURN(s.gateway.max_share_ttl,
                         ParseDurationText(f.max_share_ttl));
  DRIVE_ASSIGN_OR_RETURN(s.gateway.gallery_link_ttl,
                         ParseDurationText(f.gallery_link_ttl));
  s.gateway.max_uploads = f.max_uploads;
  return s;
}

}  // namespace

CLI::App* AddGatewayCommand(CLI::App& app, GatewayFlags& f) {
  CLI::App* cmd =
      app.add_subcommand("gateway", "Run the HTTP gateway (docs/http-api.md)");
  auto opt = [&](const char* name, auto& field, const char* help) {
    return cmd->add_option(name, field, help)->capture_default_str();
  };
  opt("--listen", f.listen, "HTTP address HOST:PORT (port 0: any)");
  opt("--coordinator", f.coordinator,
      "Coordinator address HOST:PORT, or a list to fail over between: "
      "[REGION=]HOST:PORT,...")
      ->required();
  opt("--cluster-token-file", f.cluster_token_file,
      "File holding the cluster token (else $DRIVE_CLUSTER_TOKEN)");
  opt("--url-keys-file", f.url_keys_file,
      "Signed-URL keys, one 'KEY_ID SECRET' per line; the first signs")
      ->required();
  opt("--region", f.region,
      "Region the gateway is in (reads prefer it; default: the first)");
  opt("--public-url", f.public_url,
      "Scheme and host of share links (default: http:// + Host header)");
  opt("--cors", f.cors,
      "ACCOUNT=ORIGIN[,ORIGIN]: origins whose pages may read the account "
      "(repeat per account; ORIGIN * for any)");
  opt("--threads", f.threads, "HTTP I/O threads")->check(CLI::Range(1, 64));
  opt("--blocking-threads", f.blocking_threads,
      "Threads for cluster calls (chunk fetches, stats, listings)")
      ->check(CLI::Range(1, 1024));
  opt("--max-uploads", f.max_uploads, "Uploads in flight (more get 503)")
      ->check(CLI::Range(1, 4096));
  opt("--max-connections", f.max_connections,
      "Concurrent connections (more get 503)")
      ->check(CLI::Range(1, 1000000));
  opt("--max-connections-per-ip", f.max_connections_per_ip,
      "Concurrent connections from one client IP address (more get 503)")
      ->check(CLI::Range(1, 1000000));
  opt("--max-header-bytes", f.max_header_bytes,
      "Largest request head (431 above)");
  opt("--max-url-bytes", f.max_url_bytes, "Longest request target (414)");
  opt("--max-upload-bytes", f.max_upload_bytes, "Largest PUT body (413)");
  opt("--header-timeout", f.header_timeout,
      "Time for a request head to arrive, not extended by its bytes (also "
      "the keep-alive idle time)");
  opt("--io-timeout", f.io_timeout,
      "Time for each 512 KiB of a body to be sent or received");
  opt("--shutdown-grace", f.shutdown_grace,
      "On SIGTERM, how long requests in flight may finish");
  opt("--manifest-ttl", f.manifest_ttl,
      "How long file manifests are served from memory");
  opt("--token-ttl", f.token_ttl, "How long a valid token's check is cached");
  opt("--chunk-cache", f.chunk_cache, "Memory for verified chunks");
  opt("--cache-max-file", f.cache_max_file,
      "Files larger than this bypass the chunk cache");
  opt("--buffer-budget", f.buffer_budget,
      "Memory for download buffers outside the cache");
  opt("--max-share-ttl", f.max_share_ttl, "Longest signed-URL lifetime");
  opt("--gallery-link-ttl", f.gallery_link_ttl,
      "Lifetime of image links on token-opened gallery pages");
  opt("--ready-file", f.ready_file,
      "Write the bound port as JSON here once serving");
  return cmd;
}

int RunGateway(const GatewayFlags& flags, const std::string& effective_config) {
  spdlog::info("event=gateway_starting config=\n{}", effective_config);
  auto settings = SettingsFromFlags(flags);
  if (!settings.ok()) return FailStartup(settings.status());
  auto token = ReadSecret(flags.cluster_token_file, "DRIVE_CLUSTER_TOKEN",
                          "cluster token");
  if (!token.ok()) return FailStartup(token.status());
  settings->access.cluster_token = *token;
  auto keys = ReadSmallFile(flags.url_keys_file);
  if (!keys.ok()) return FailStartup(keys.status());
  auto signer = gateway::UrlSigner::FromKeyFile(*keys);
  if (!signer.ok()) return FailStartup(signer.status());
  auto cors = gateway::CorsPolicy::FromSpecs(flags.cors);
  if (!cors.ok()) return FailStartup(cors.status());

  MetricsRegistry metrics;
  auto blocking = std::make_unique<ThreadPoolExecutor>(flags.blocking_threads);
  auto uploads = std::make_unique<ThreadPoolExecutor>(flags.max_uploads);
  gateway::ClusterAccess access(settings->access, blocking.get(), uploads.get(),
                                Env::Default(), &metrics);
  access.Start();
  gateway::Gateway gw(settings->gateway, &access, &*signer, &*cors,
                      Env::Default(), &metrics);
  gateway::HttpServer server(settings->server, &gw);
  metrics.AddRefreshHook([&] {
    metrics.GetGauge("drive_gateway_connections", "Open HTTP connections")
        ->Set(static_cast<double>(server.connections()));
    metrics
        .GetGauge("drive_gateway_connections_rejected",
                  "Connections refused over --max-connections or "
                  "--max-connections-per-ip since start")
        ->Set(static_cast<double>(server.rejected()));
  });
  auto port = server.Start();
  if (!port.ok()) return FailStartup(port.status());
  if (!flags.ready_file.empty()) {
    absl::Status s = WriteFileAtomically(
        flags.ready_file, absl::StrCat("{\"http_port\": ", *port,
                                       ", \"pid\": ", getpid(), "}\n"));
    if (!s.ok()) return FailStartup(s);
  }
  spdlog::info(
      "event=gateway_serving http_port={} coordinator={} url_key={} "
      "chunk_cache_bytes={}",
      *port, flags.coordinator, signer->signing_key_id(),
      settings->access.chunk_cache_bytes);

  int sig = WaitForTerminationSignal();
  spdlog::info("event=gateway_stopping signal={}", sig);
  // Readiness fails first and keep-alive stops; requests in flight get the
  // grace period; uploads not finished by then commit nothing.
  gw.StartDraining();
  server.Stop(settings->shutdown_grace);
  blocking.reset();  // runs what is queued; its posts go nowhere now
  uploads.reset();
  spdlog::info("event=gateway_stopped");
  return 0;
}

}  // namespace drive::daemon
