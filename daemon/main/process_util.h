#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace drive::daemon {

// Blocks SIGTERM and SIGINT in the calling thread (call before starting any
// thread, so every thread inherits the mask) and returns once one arrives.
void BlockTerminationSignals();
int WaitForTerminationSignal();

// Writes `contents` to `path` atomically (temp file, fsync, rename), so a
// reader polling for the file never sees half of it.
absl::Status WriteFileAtomically(const std::string& path,
                                 const std::string& contents);

// Reads a whole small file (tokens, configs); trailing newlines stripped.
absl::StatusOr<std::string> ReadSmallFile(const std::string& path);

}  // namespace drive::daemon
