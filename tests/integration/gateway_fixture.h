#pragma once

// The shared fixture of the gateway integration tests: one local cluster
// (coordinator, 3 + 3 nodes, the cluster's gateway) for the whole binary,
// started in SetUpTestSuite, plus helpers to start extra gateways with
// tighter limits, sign URLs with the cluster's key and talk HTTP.

#include <memory>
#include <string>
#include <vector>

#include "daemon/gateway/url_signer.h"
#include "drive/client.h"
#include "gtest/gtest.h"
#include "tests/support/gateway_process.h"
#include "tests/support/http_client.h"
#include "tests/support/local_cluster.h"
#include "tests/support/temp_dir.h"

namespace drive {

class GatewayTest : public ::testing::Test {
 public:
  static void SetUpTestSuite();
  static void TearDownTestSuite();

 public:
  void SetUp() override {
    ASSERT_TRUE(ok_) << "the shared cluster did not start";
  }

  // Port of the cluster's gateway.
  static int port() { return cluster_->gateway_port(); }
  static testing::LocalCluster& cluster() { return *cluster_; }
  static client::DriveClient& demo() { return *demo_; }
  static client::DriveClient& other() { return *other_; }
  static const std::string& other_token() { return other_token_; }
  // Authorization header of the demo account (and of account "other").
  static testing::HttpHeaders Auth(testing::HttpHeaders more = {});
  static testing::HttpHeaders OtherAuth();
  // Query string signing `method` on decoded `path` until `expires`.
  static std::string Sign(const std::string& method, const std::string& path,
                          int64_t expires);
  static int64_t Now();
  // Flags every extra gateway needs to join the cluster.
  static std::vector<std::string> GatewayArgs(std::vector<std::string> more);
  // A new gateway with `more` flags (nullptr, test failed, if it did not
  // start).
  static std::unique_ptr<testing::GatewayProcess> StartGateway(
      const std::string& name, std::vector<std::string> more);
  // Value of a metric line "name{labels} value" on `port`'s /metrics.
  static double Metric(int port, const std::string& series);

  // Files the suite uploads with the client library before any test:
  // kBig (8 MiB + 5 bytes: three chunks), kSmall (100 KiB) and kEmpty.
  static constexpr char kBig[] = "fixture/big.bin";
  static constexpr char kSmall[] = "fixture/small.bin";
  static constexpr char kEmpty[] = "fixture/empty.bin";
  static constexpr uint64_t kChunk = 4194304;
  static const std::string& big() { return *big_; }
  static const std::string& small() { return *small_; }
  static const client::FileInfo& big_info() { return *big_info_; }

  static std::string Temp(const std::string& name) { return dir_->Sub(name); }

 private:
  static bool ok_;
  static testing::TempDir* dir_;
  static testing::LocalCluster* cluster_;
  static std::unique_ptr<client::DriveClient> demo_;
  static std::unique_ptr<client::DriveClient> other_;
  static std::string other_token_;
  static std::unique_ptr<gateway::UrlSigner> signer_;
  static std::string* big_;
  static std::string* small_;
  static client::FileInfo* big_info_;
};

}  // namespace drive
