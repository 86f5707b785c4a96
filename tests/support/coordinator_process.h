#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace drive::testing {

// A `drived coordinator` child process on 127.0.0.1 (port 0) with regions
// west and east, for tests that need a coordinator alone or with nodes of
// their own. Start() waits (bounded) for its ready file; the destructor
// kills it if it still runs. Not thread-safe.
class CoordinatorProcess {
 public:
  // `dir` holds the database, token files, ready file and log; `extra_args`
  // are appended to the command line.
  CoordinatorProcess(std::string dir, std::string cluster_token,
                     std::string admin_token,
                     std::vector<std::string> extra_args = {});
  ~CoordinatorProcess();

  // Spawns and waits up to 30 s; false (log on stderr) on failure.
  bool Start();
  void Kill();
  // Sends `sig` (e.g. SIGSTOP/SIGCONT) to the running child.
  void Signal(int sig);
  // True while the process has not exited.
  bool Running();

  std::string address() const;  // 127.0.0.1:PORT
  int metrics_port() const { return metrics_port_; }
  pid_t pid() const { return pid_; }
  std::string log_path() const { return dir_ + "/coordinator.log"; }

 private:
  std::string dir_;
  std::string cluster_token_;
  std::string admin_token_;
  std::vector<std::string> extra_args_;
  pid_t pid_ = -1;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
};

}  // namespace drive::testing
