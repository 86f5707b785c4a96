#pragma once

#include <cstdint>
#include <functional>
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

// Writes the ready file of a gRPC daemon (coordinator, node) when `path` is
// not empty: {"grpc_port": G, "metrics_port": M, "pid": P}, atomically.
absl::Status WriteReadyFile(const std::string& path, int grpc_port,
                            int metrics_port);

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

// One step of a daemon's shutdown that is not a destructor, such as
// stopping loops before the executor they run on drains, or giving calls in
// flight a deadline. A daemon class declares these among its members, so
// that the member order alone is the shutdown order (members are destroyed
// in reverse). Runs the step given last to Set, if any, when destroyed.
class ShutdownStep {
 public:
  ShutdownStep() = default;
  ~ShutdownStep() {
    if (step_) step_();
  }
  ShutdownStep(const ShutdownStep&) = delete;
  ShutdownStep& operator=(const ShutdownStep&) = delete;

  void Set(std::function<void()> step) { step_ = std::move(step); }

 private:
  std::function<void()> step_;
};

}  // namespace drive::daemon
