#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace drive::testing {

// A real `drived node` child process on 127.0.0.1 with ephemeral ports, for
// integration tests. Start() waits (bounded) until the node writes its ready
// file. The destructor kills the process if it still runs. Not thread-safe.
class NodeProcess {
 public:
  // `dir` holds the drive(s), token, ready file and log.
  NodeProcess(std::string dir, std::string cluster_token,
              std::vector<std::string> extra_args = {});
  ~NodeProcess();

  // Spawns the node and waits up to 30 s for it to serve. Returns false
  // (with the log tail on stderr) if it exits or does not get ready.
  bool Start();
  // SIGKILL, then reap.
  void Kill();
  // SIGTERM, then wait up to 30 s; returns the exit status (-1 on timeout).
  int Terminate();

  std::string address() const;  // 127.0.0.1:PORT
  int metrics_port() const { return metrics_port_; }
  pid_t pid() const { return pid_; }
  std::string drive_path(const std::string& drive = "d0") const;
  std::string log_path() const { return dir_ + "/node.log"; }

 private:
  std::string dir_;
  std::string token_;
  std::vector<std::string> extra_args_;
  pid_t pid_ = -1;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
};

// Path of a built binary, e.g. BinaryPath("daemon/drived").
std::string BinaryPath(const std::string& relative);

// GET http://127.0.0.1:port/path over a plain socket; returns the body, or
// an empty string on failure.
std::string HttpGet(int port, const std::string& path);

}  // namespace drive::testing
