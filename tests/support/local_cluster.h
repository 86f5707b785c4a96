#pragma once

#include <map>
#include <string>
#include <vector>

namespace drive::testing {

// A whole cluster from deploy/local-cluster.sh in a directory of the test's
// own: a coordinator, N nodes per region (w1.., e1..) and an HTTP gateway
// on 127.0.0.1.
// Down() (or the destructor) stops every process. Not thread-safe.
class LocalCluster {
 public:
  explicit LocalCluster(std::string dir) : dir_(std::move(dir)) {}
  ~LocalCluster();

  // Starts the cluster and waits until it is healthy; false on failure
  // (the script's output goes to stderr). `extra` is appended to `up`.
  bool Up(int nodes_per_region, const std::vector<std::string>& extra = {});
  void Down();
  bool StopNode(const std::string& name, bool kill9);
  bool StartNode(const std::string& name);
  bool StopCoordinator(bool kill9);
  // Restarts the coordinator on the port it had.
  bool StartCoordinator();
  // Deletes a (stopped) node's drive directory, like a replaced disk.
  void WipeDrive(const std::string& name);
  std::string coordinator_data() const { return dir_ + "/coordinator/db"; }

  // Values from DIR/env.
  std::string coordinator() const { return env_.at("DRIVE_COORDINATOR"); }
  // The gateway's base URL "http://127.0.0.1:PORT" and its port.
  std::string gateway() const { return env_.at("DRIVE_GATEWAY"); }
  int gateway_port() const;
  std::string account() const { return env_.at("DRIVE_ACCOUNT"); }
  std::string token() const { return env_.at("DRIVE_TOKEN"); }
  std::string admin_token() const { return env_.at("DRIVE_ADMIN_TOKEN"); }
  std::string cluster_token() const;
  // 127.0.0.1:PORT of a running node.
  std::string node_address(const std::string& name) const;
  std::string drive_dir(const std::string& name) const {
    return dir_ + "/nodes/" + name + "/d0";
  }
  const std::string& dir() const { return dir_; }

  // Runs deploy/local-cluster.sh with args; returns its exit code.
  int Script(const std::string& args) const;

 private:
  std::string dir_;
  std::map<std::string, std::string> env_;
  bool up_ = false;
};

}  // namespace drive::testing
