#pragma once

#include <string>

#include "CLI/CLI.hpp"

namespace drive::daemon {

// Settings of `drived coordinator`.
struct CoordinatorFlags {
  std::string listen = "127.0.0.1:7000";
  std::string metrics_listen = "127.0.0.1:7001";
  std::string data;  // directory of the coordinator's RocksDB
  // Empty: metadata in the RocksDB under `data`; else
  // etcd://HOST:PORT[,HOST:PORT...][/PREFIX] (then `data` holds scratch).
  std::string meta;
  // With etcd: the leader's lease TTL, whole seconds (1s..1h).
  std::string leader_ttl = "5s";
  // With etcd: the cluster's --max-txn-ops and --max-request-bytes (etcd
  // 3.4's defaults). Writes beyond them are refused before they are sent.
  int etcd_max_txn_ops = 128;
  std::string etcd_max_request_bytes = "1536KiB";
  std::string regions = "west,east";
  uint32_t pg_count = 1024;
  std::string down_after = "10s";
  std::string out_after = "10m";
  std::string trash_retention = "30d";
  std::string admin_token_file;
  std::string cluster_token_file;
  std::string ready_file;
  int threads = 8;
  // Repair, garbage collection and metadata backups.
  std::string repair_interval = "30s";
  int repair_pulls_per_drive = 2;
  int repair_max_pulls = 8;
  std::string gc_interval = "1h";
  std::string gc_grace = "24h";
  std::string backup_interval = "1h";
  int backup_keep_daily = 7;
  int backup_keep_monthly = 12;
  bool allow_local_writes = false;
  // Memory gRPC may hold for calls in flight (requests being received).
  std::string rpc_memory = "512MiB";
};

CLI::App* AddCoordinatorCommand(CLI::App& app, CoordinatorFlags& flags);
// Runs the coordinator until SIGTERM/SIGINT; returns the exit code.
int RunCoordinator(const CoordinatorFlags& flags,
                   const std::string& effective_config);

}  // namespace drive::daemon
