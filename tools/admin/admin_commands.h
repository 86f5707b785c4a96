#pragma once

// The subcommands of `drive-admin`, one function each; admin_main.cc parses
// the flags and dispatches. Every function prints its result (human text,
// or JSON with `json`) and returns the process exit code.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "drive/admin_client.h"

namespace drive::cli {

struct AdminArgs {
  std::string coordinator, token;
  bool json = false;
  double wait_healthy_s = 0;
  std::string name, drive_id;
  bool add_token = false;
  bool now = false, wait = false, cancel = false, dry_run = false;
  bool deep = false, unhealthy = false;
  std::string target;  // fsck ACCOUNT[/PATH]
  double timeout_s = 3600;
  // metadata list/restore
  std::vector<std::string> nodes;
  std::string cluster_token_file, data_dir, backup_id;
};

// "N chunks LOST: no drive holds a copy; M files: a/x, a/y, ..." for
// repair state that reports lost chunks.
std::string LostText(const client::RepairState& r);

// Connection and configuration problems are 2; a refused operation is 1.
int AdminExitCode(const absl::Status& s);

int RunStatus(const AdminArgs& a);
int RunDrives(const AdminArgs& a);
int RunPgs(const AdminArgs& a);
int RunFsck(const AdminArgs& a);
int RunScrub(const AdminArgs& a);
int RunRepair(const AdminArgs& a);
int RunDrain(const AdminArgs& a);
int RunGc(const AdminArgs& a);
int RunMetadataBackup(const AdminArgs& a);
int RunMetadataList(const AdminArgs& a);
int RunMetadataRestore(const AdminArgs& a);

}  // namespace drive::cli
