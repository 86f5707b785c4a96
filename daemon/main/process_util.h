#pragma once

#include <cstdint>
#include <string>
#include <utility>

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

// A daemon secret from `file` if given, else from the environment
// variable `env`. kInvalidArgument (naming `what` and both sources) when
// it is missing or shorter than 16 characters: short secrets are
// guessable, and the cluster token also keys data tokens.
absl::StatusOr<std::string> ReadSecret(const std::string& file, const char* env,
                                       const char* what);

// Logs "event=startup_failed" with the error and returns exit code 1.
int FailStartup(const absl::Status& s);

// Splits "HOST:PORT" (port 0..65535). kInvalidArgument otherwise.
absl::StatusOr<std::pair<std::string, uint16_t>> SplitHostPort(
    const std::string& host_port);

}  // namespace drive::daemon
