#pragma once

// `drive put LOCAL... REMOTE`: parallel, resumable uploads of files and
// directory trees, committed file by file or all at once (--atomic).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "drive/client.h"

namespace drive::cli {

// Connects to the cluster with the settings from flags and environment.
using ConnectFn =
    std::function<absl::StatusOr<std::unique_ptr<client::DriveClient>>()>;

struct PutOptions {
  // LOCAL... REMOTE: at least two entries, the last is the remote target.
  std::vector<std::string> paths;
  // Files uploaded at once (worker threads sharing one client). Range 1..64.
  // Default: 4.
  int jobs = 4;
  // Upload everything, then commit all files in one step.
  bool atomic = false;
  // Print the result as JSON on stdout instead of the summary line.
  bool json = false;
};

// Registers the `put` subcommand with its flags bound to `options`.
CLI::App* AddPutCommand(CLI::App& app, PutOptions& options);

// Runs `put`; returns the exit code (0 ok, 1 some file failed, 2 usage).
int RunPut(const PutOptions& options, const ConnectFn& connect);

}  // namespace drive::cli
