#include "tests/support/gateway_process.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "tests/support/child_process.h"
#include "tests/support/node_process.h"
#include "tests/support/temp_dir.h"

namespace drive::testing {

GatewayProcess::GatewayProcess(std::string dir, std::vector<std::string> args)
    : dir_(std::move(dir)), args_(std::move(args)) {
  std::filesystem::create_directories(dir_);
}

GatewayProcess::~GatewayProcess() { Kill(); }

bool GatewayProcess::Start() {
  std::string ready = dir_ + "/ready.json";
  std::filesystem::remove(ready);
  std::vector<std::string> args = {BinaryPath("daemon/drived"),
                                   "gateway",
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--ready-file",
                                   ready};
  args.insert(args.end(), args_.begin(), args_.end());
  pid_ = SpawnLogged(args, log_path());
  auto groups = WaitForReadyFile(&pid_, ready, R"re("http_port": (\d+))re",
                                 std::chrono::seconds(30));
  if (groups) {
    port_ = std::stoi(groups->at(1));
    return true;
  }
  std::fprintf(stderr, "gateway did not start; log:\n%s\n",
               ReadFileOrEmpty(log_path()).c_str());
  return false;
}

int GatewayProcess::Terminate(int seconds) {
  return TerminateChild(&pid_, std::chrono::seconds(seconds));
}

void GatewayProcess::Kill() { KillChild(&pid_); }

}  // namespace drive::testing
