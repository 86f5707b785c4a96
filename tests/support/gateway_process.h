#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace drive::testing {

// A `drived gateway` child process on 127.0.0.1 (port 0), for tests that
// need a gateway with other limits than the local cluster's. Start() waits
// (bounded) for its ready file; the destructor kills it if it still runs.
// Not thread-safe.
class GatewayProcess {
 public:
  // `dir` holds the ready file and the log; `args` are gateway flags
  // (--coordinator, --cluster-token-file, --url-keys-file, limits ...).
  GatewayProcess(std::string dir, std::vector<std::string> args);
  ~GatewayProcess();

  // Spawns and waits up to 30 s; false (log tail on stderr) on failure.
  bool Start();
  // SIGTERM; waits up to `seconds` and returns the exit status, or -1.
  int Terminate(int seconds = 60);
  void Kill();

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string log_path() const { return dir_ + "/gateway.log"; }

 private:
  std::string dir_;
  std::vector<std::string> args_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace drive::testing
