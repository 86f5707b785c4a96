#pragma once

#include <string>
#include <vector>

#include "CLI/CLI.hpp"

namespace drive::daemon {

// Settings of `drived gateway`; every field is a flag (or a key in the
// [gateway] section of --config). Meanings and defaults: README.md.
struct GatewayFlags {
  std::string listen = "127.0.0.1:8080";
  std::string coordinator;
  std::string cluster_token_file;
  std::string url_keys_file;
  std::string region;
  std::string public_url;
  std::vector<std::string> cors;  // ACCOUNT=ORIGIN[,ORIGIN]
  int threads = 2;
  int blocking_threads = 32;
  int max_uploads = 32;
  size_t max_connections = 1024;
  size_t max_connections_per_ip = 64;
  std::string max_header_bytes = "16KiB";
  std::string max_url_bytes = "8KiB";
  std::string max_upload_bytes = "64GiB";
  std::string header_timeout = "30s";
  std::string io_timeout = "60s";
  std::string shutdown_grace = "30s";
  std::string manifest_ttl = "2s";
  std::string token_ttl = "30s";
  std::string chunk_cache = "256MiB";
  std::string cache_max_file = "64MiB";
  std::string buffer_budget = "256MiB";
  std::string max_share_ttl = "30d";
  std::string gallery_link_ttl = "1h";
  std::string ready_file;
};

// Adds the `gateway` subcommand to `app`; `flags` must outlive parsing.
CLI::App* AddGatewayCommand(CLI::App& app, GatewayFlags& flags);
// Runs the HTTP gateway until SIGTERM/SIGINT; returns the exit code.
int RunGateway(const GatewayFlags& flags, const std::string& effective_config);

}  // namespace drive::daemon
