#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/executor.h"
#include "daemon/coordinator/node_registry.h"
#include "daemon/coordinator/node_transport.h"

namespace drive::coordinator {

// Drives scrubbed at once by ScrubDrives unless the caller says otherwise:
// separate disks, so they scrub in parallel, but not without bound.
inline constexpr int kDefaultScrubParallel = 16;

// Starts a scrub pass (`start`) or asks for its progress on every drive of
// `view`, or only on `drive_id` when it is not empty, at most `max_parallel`
// (at least 1) drives at once. One outcome per drive, in the view's order:
// a drive that is not alive gets kUnavailable with its last reported
// progress and is not called; a drive whose call fails gets that error in
// its outcome while the others still scrub. kNotFound when no drive
// matches. The calling thread scrubs too and the rest runs on `executor`,
// so a busy executor slows the fan-out but cannot stall it. Blocks until
// every drive has answered. `nodes` and `executor` are not owned.
absl::StatusOr<std::vector<DriveScrubOutcome>> ScrubDrives(
    const ClusterView& view, const std::string& drive_id, bool start,
    NodeTransport* nodes, Executor* executor,
    int max_parallel = kDefaultScrubParallel);

}  // namespace drive::coordinator
