#pragma once

// File-system check for operators: for every file, does every chunk have
// its six copies on the drives the placement map assigns, three per
// region; with `deep`, is every copy also readable and correct. Used by
// `drive-admin fsck`.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/chunk_id.h"

namespace drive::client {

struct FsckOptions {
  std::string coordinator;
  std::string admin_token;
  // Only this account ("" = every account) and, within it, paths starting
  // with this prefix.
  std::string account;
  std::string prefix;
  // Also read and verify every copy on its node (a bad copy is quarantined
  // and repaired by the node as if the scrubber had found it).
  bool deep = false;
};

// One chunk that is not as it should be.
struct FsckProblem {
  std::string account;
  std::string path;
  size_t chunk_index = 0;
  ChunkId chunk;
  int copies = 0;                    // good copies on the placed drives
  std::vector<std::string> missing;  // placed drives without a good copy
  std::string text;                  // the problem in words
};

struct FsckReport {
  uint64_t files = 0;
  uint64_t chunks = 0;
  uint64_t copies_checked = 0;
  uint64_t copies_verified = 0;  // deep only
  std::vector<FsckProblem> problems;
  bool repair_queued = false;  // a repair sweep was requested
  bool ok() const { return problems.empty(); }
};

// Runs the check; `on_file` (optional) is told each file as it is done.
// Errors only for failures to check (coordinator or map unreachable); what
// the check finds is in the report. Asks the coordinator for a repair
// sweep when it finds problems. Blocks.
absl::StatusOr<FsckReport> RunFsck(
    const FsckOptions& options,
    const std::function<void(const std::string& account,
                             const std::string& path)>& on_file = nullptr);

}  // namespace drive::client
