#include "tests/support/local_cluster.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/support/temp_dir.h"

namespace drive::testing {

LocalCluster::~LocalCluster() { Down(); }

int LocalCluster::Script(const std::string& args) const {
  std::string cmd = std::string("DRIVE_BIN_DIR=") + DRIVE_BINARY_DIR + " " +
                    DRIVE_SOURCE_DIR + "/deploy/local-cluster.sh " + args +
                    " --dir " + dir_ + " 1>&2";
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

bool LocalCluster::Up(int nodes_per_region,
                      const std::vector<std::string>& extra) {
  std::string args =
      "up --nodes-per-region " + std::to_string(nodes_per_region);
  for (const auto& e : extra) args += " " + e;
  if (Script(args) != 0) return false;
  up_ = true;
  std::istringstream in(ReadFileOrEmpty(dir_ + "/env"));
  std::string line;
  std::regex re(R"(^export ([A-Z_]+)=(.*)$)");
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, re)) env_[m[1]] = m[2];
  }
  return env_.count("DRIVE_COORDINATOR") && env_.count("DRIVE_TOKEN");
}

void LocalCluster::Down() {
  if (!up_) return;
  Script("down");
  up_ = false;
}

bool LocalCluster::StopNode(const std::string& name, bool kill9) {
  return Script("stop-node " + name + (kill9 ? " --kill" : "")) == 0;
}

bool LocalCluster::StartNode(const std::string& name) {
  return Script("start-node " + name) == 0;
}

bool LocalCluster::StopCoordinator(bool kill9) {
  return Script(std::string("stop-coordinator") + (kill9 ? " --kill" : "")) ==
         0;
}

bool LocalCluster::StartCoordinator() {
  return Script("start-coordinator") == 0;
}

void LocalCluster::WipeDrive(const std::string& name) {
  std::error_code ec;
  std::filesystem::remove_all(drive_dir(name), ec);
}

std::string LocalCluster::cluster_token() const {
  return ReadFileOrEmpty(dir_ + "/cluster-token");
}

int LocalCluster::gateway_port() const {
  const std::string url = gateway();
  return std::stoi(url.substr(url.rfind(':') + 1));
}

std::string LocalCluster::node_address(const std::string& name) const {
  std::string json = ReadFileOrEmpty(dir_ + "/nodes/" + name + "/ready.json");
  std::smatch m;
  if (std::regex_search(json, m, std::regex(R"("grpc_port": (\d+))"))) {
    return "127.0.0.1:" + std::string(m[1]);
  }
  return "";
}

}  // namespace drive::testing
