#include "tests/support/coordinator_process.h"

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include "tests/support/child_process.h"
#include "tests/support/node_process.h"
#include "tests/support/temp_dir.h"

namespace drive::testing {

CoordinatorProcess::CoordinatorProcess(std::string dir,
                                       std::string cluster_token,
                                       std::string admin_token,
                                       std::vector<std::string> extra_args)
    : dir_(std::move(dir)),
      cluster_token_(std::move(cluster_token)),
      admin_token_(std::move(admin_token)),
      extra_args_(std::move(extra_args)) {
  std::filesystem::create_directories(dir_);
}

CoordinatorProcess::~CoordinatorProcess() { Kill(); }

bool CoordinatorProcess::Start() {
  std::string cluster_file = dir_ + "/cluster-token";
  std::string admin_file = dir_ + "/admin-token";
  std::ofstream(cluster_file) << cluster_token_;
  std::ofstream(admin_file) << admin_token_;
  std::string ready = dir_ + "/ready.json";
  std::filesystem::remove(ready);
  std::vector<std::string> args = {BinaryPath("daemon/drived"),
                                   "coordinator",
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--metrics-listen",
                                   "127.0.0.1:0",
                                   "--data",
                                   dir_ + "/db",
                                   "--regions",
                                   "west,east",
                                   "--cluster-token-file",
                                   cluster_file,
                                   "--admin-token-file",
                                   admin_file,
                                   "--ready-file",
                                   ready};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  pid_ = SpawnLogged(args, log_path());
  auto groups = WaitForReadyFile(&pid_, ready, R"re("grpc_port": (\d+))re",
                                 std::chrono::seconds(30));
  if (groups) {
    grpc_port_ = std::stoi(groups->at(1));
    // The ready file is written whole before it appears.
    std::smatch m;
    std::string body = ReadFileOrEmpty(ready);
    static const std::regex kMetrics(R"re("metrics_port": (\d+))re");
    if (std::regex_search(body, m, kMetrics)) metrics_port_ = std::stoi(m[1]);
    return true;
  }
  std::fprintf(stderr, "coordinator did not start; log:\n%s\n",
               ReadFileOrEmpty(log_path()).c_str());
  return false;
}

void CoordinatorProcess::Kill() { KillChild(&pid_); }

void CoordinatorProcess::Signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

bool CoordinatorProcess::Running() {
  int status = 0;
  if (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_) pid_ = -1;
  return pid_ > 0;
}

std::string CoordinatorProcess::address() const {
  return "127.0.0.1:" + std::to_string(grpc_port_);
}

}  // namespace drive::testing
