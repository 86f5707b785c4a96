#pragma once

// The shared fixture of the RPC integration tests (credentials, limits,
// forwarding, idle streams): a coordinator and two nodes, w1 in region west
// and e1 in region east, started once for the whole binary. The nodes run
// with a 1 s PutChunk idle timeout and at most kMaxPutStreams streams.

#include <memory>
#include <string>

#include "drive/v1/coordinator.grpc.pb.h"
#include "drive/v1/node.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/support/coordinator_process.h"
#include "tests/support/node_process.h"
#include "tests/support/temp_dir.h"

namespace drive {

class RpcClusterTest : public ::testing::Test {
 public:
  static void SetUpTestSuite();
  static void TearDownTestSuite();

  void SetUp() override {
    ASSERT_TRUE(ok_) << "the shared coordinator and nodes did not start";
  }

  static constexpr char kClusterToken[] = "rpc-test-cluster-token";
  static constexpr char kAdminToken[] = "rpc-test-admin-token";
  static constexpr int kMaxPutStreams = 6;

  static testing::CoordinatorProcess& coordinator() { return *coordinator_; }
  // 0: w1 (west), 1: e1 (east).
  static testing::NodeProcess& node(int i) { return *nodes_[i]; }
  static std::string node_name(int i) { return i == 0 ? "w1" : "e1"; }
  // Bearer tokens of accounts "studio" and "other".
  static const std::string& studio_token() { return *studio_token_; }
  static const std::string& other_token() { return *other_token_; }
  // A data token for `account` that expires `valid_s` from now (negative:
  // expired).
  static std::string DataToken(const std::string& account,
                               int64_t valid_s = 3600);

  static std::unique_ptr<v1::NodeService::Stub> NodeStub(int i);
  static std::unique_ptr<v1::CoordinatorService::Stub> CoordinatorStub();
  // Value of the series "name{labels}" on node i's /metrics, -1 if absent.
  static double NodeMetric(int i, const std::string& series);

 private:
  static testing::TempDir* dir_;
  static testing::CoordinatorProcess* coordinator_;
  static testing::NodeProcess* nodes_[2];
  static std::string* studio_token_;
  static std::string* other_token_;
  static bool ok_;
};

}  // namespace drive
