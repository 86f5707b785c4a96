#pragma once

#include <string>
#include <vector>

#include "CLI/CLI.hpp"

namespace drive::daemon {

// Settings of `drived node`; every field is a flag (or a key in --config).
struct NodeFlags {
  std::string name;
  std::string listen = "127.0.0.1:7100";
  std::string metrics_listen = "127.0.0.1:7101";
  std::vector<std::string> drives;  // NAME=PATH
  uint32_t pg_count = 1024;
  std::string reserve = "1GiB";
  std::string durability = "auto";
  std::string cluster_token_file;
  std::string ready_file;
  std::string region = "default";
  std::string zone;
  std::string host;
  std::string coordinator;
  std::string advertise;
  int threads = 8;
  bool direct_writes = false;
  // Scrubbing and repair.
  std::string scrub_deadline = "14d";
  std::string scrub_max_rate = "64MiB";
  std::string repair_rate = "0";
  // PutChunk streams: idle timeout and how many may be open at once.
  std::string stream_idle_timeout = "30s";
  int max_put_streams = 256;
};

// Adds the `node` subcommand to `app`; `flags` must outlive parsing.
CLI::App* AddNodeCommand(CLI::App& app, NodeFlags& flags);
// Runs a storage node until SIGTERM/SIGINT; returns the exit code.
int RunNode(const NodeFlags& flags, const std::string& effective_config);

}  // namespace drive::daemon
