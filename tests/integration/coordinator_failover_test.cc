// Two real `drived coordinator --meta etcd://...` processes on one etcd:
// one leads (drive_coordinator_leader 1); after kill -9 of the leader the
// other takes over within twice the lease TTL, and a leader stopped past
// its lease (SIGSTOP) steps down when continued.

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <regex>
#include <string>
#include <thread>

#include "common/grpc/coordinator_client.h"
#include "common/grpc/metadata.h"
#include "drive/v1/coordinator.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/support/child_process.h"
#include "tests/support/coordinator_process.h"
#include "tests/support/node_process.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_meta_store.h"

namespace drive::testing {
namespace {

constexpr int kTtlSeconds = 2;
constexpr char kToken[] = "failover-test-token-0123456789";  // admin too

// drive_coordinator_leader from `c`'s /metrics; -1 when unreadable.
int LeaderGauge(const CoordinatorProcess& c) {
  std::string body = HttpGet(c.metrics_port(), "/metrics");
  std::smatch m;
  static const std::regex kGauge(R"(\ndrive_coordinator_leader (\d+))");
  if (!std::regex_search(body, m, kGauge)) return -1;
  return std::stoi(m[1]);
}

// A coordinator of the shared etcd prefix `meta`, leasing for kTtlSeconds.
std::unique_ptr<CoordinatorProcess> Coordinator(const std::string& dir,
                                                const std::string& meta) {
  const std::string token = kToken;
  return std::make_unique<CoordinatorProcess>(
      dir, token, token,
      std::vector<std::string>{"--meta", meta, "--leader-ttl",
                               std::to_string(kTtlSeconds) + "s",
                               "--gc-interval", "0", "--backup-interval", "0"});
}

// Waits until exactly one of `a`, `b` reports leading; it, or null.
CoordinatorProcess* OneLeader(CoordinatorProcess* a, CoordinatorProcess* b,
                              std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    int la = LeaderGauge(*a), lb = LeaderGauge(*b);
    if (la + lb == 1 && la >= 0 && lb >= 0) return la == 1 ? a : b;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return nullptr;
}

// Polls until `c` reports `value` or `timeout` passes; whether it did.
bool WaitForGauge(const CoordinatorProcess& c, int value,
                  std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (LeaderGauge(c) != value) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

// Two coordinators on one etcd prefix per test, one of them leading.
class CoordinatorFailoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(SharedEtcd(), nullptr) << "etcd did not start";
    std::string meta =
        "etcd://" + SharedEtcd()->endpoint() + "/" +
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    c1_ = Coordinator(dir_.Sub("c1"), meta);
    c2_ = Coordinator(dir_.Sub("c2"), meta);
    ASSERT_TRUE(c1_->Start());
    ASSERT_TRUE(c2_->Start());
    leader_ =
        OneLeader(c1_.get(), c2_.get(), std::chrono::seconds(5 * kTtlSeconds));
    ASSERT_NE(leader_, nullptr) << "no single leader";
    follower_ = leader_ == c1_.get() ? c2_.get() : c1_.get();
  }

  TempDir dir_;
  std::unique_ptr<CoordinatorProcess> c1_, c2_;
  CoordinatorProcess* leader_ = nullptr;
  CoordinatorProcess* follower_ = nullptr;
};

TEST_F(CoordinatorFailoverTest, KilledLeaderIsReplacedWithinTwoTtls) {
  leader_->Kill();  // SIGKILL: the lease is left to expire
  auto killed = std::chrono::steady_clock::now();
  EXPECT_TRUE(
      WaitForGauge(*follower_, 1, std::chrono::seconds(2 * kTtlSeconds)))
      << "no takeover within 2 x TTL; log:\n"
      << ReadFileOrEmpty(follower_->log_path());
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - killed);
  std::printf("takeover after kill -9: %lld ms (TTL %d s)\n",
              static_cast<long long>(took.count()), kTtlSeconds);
}

TEST_F(CoordinatorFailoverTest, LeaderStoppedPastItsLeaseStepsDownOnContinue) {
  leader_->Signal(SIGSTOP);
  EXPECT_TRUE(
      WaitForGauge(*follower_, 1, std::chrono::seconds(2 * kTtlSeconds)))
      << "no takeover while the leader was stopped";
  leader_->Signal(SIGCONT);
  // Its own clock says the lease lapsed: it reports not-leader at once
  // and steps down; the new leader keeps leading.
  EXPECT_TRUE(WaitForGauge(*leader_, 0, std::chrono::seconds(1)));
  std::this_thread::sleep_for(std::chrono::seconds(kTtlSeconds));
  EXPECT_EQ(LeaderGauge(*leader_), 0);
  EXPECT_EQ(LeaderGauge(*follower_), 1);
  EXPECT_NE(
      ReadFileOrEmpty(leader_->log_path()).find("event=leader_stepped_down"),
      std::string::npos)
      << ReadFileOrEmpty(leader_->log_path());
}

// One admin call straight to coordinator `c` (no failover), 10 s deadline.
template <typename Req, typename Resp>
grpc::Status AdminCall(const CoordinatorProcess& c,
                       grpc::Status (v1::CoordinatorService::Stub::*method)(
                           grpc::ClientContext*, const Req&, Resp*),
                       const Req& req, Resp* resp) {
  auto stub = v1::CoordinatorService::NewStub(
      grpc::CreateChannel(c.address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  ctx.AddMetadata(kAuthorizationKey, std::string("Bearer ") + kToken);
  return ((*stub).*method)(&ctx, req, resp);
}

// Namespace changes are made by the leader alone: a follower refuses them
// with UNAVAILABLE and writes nothing, and a client given every
// coordinator's address reaches the leader; a follower still serves reads.
TEST_F(CoordinatorFailoverTest, OnlyTheLeaderChangesTheNamespace) {
  using S = v1::CoordinatorService::Stub;
  v1::CreateAccountRequest create;
  create.set_account("studio");
  v1::CreateAccountResponse created;
  grpc::Status refused =
      AdminCall(*follower_, &S::CreateAccount, create, &created);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE)
      << refused.error_message();

  // Follower first in the list: the client fails over to the leader.
  CoordinatorClientOptions o;
  o.coordinators = follower_->address() + "," + leader_->address();
  o.token = kToken;
  o.timeout = absl::Seconds(10);
  ASSERT_OK_AND_ASSIGN(auto client, CoordinatorClient::Create(o));
  ASSERT_TRUE(client->Call(&S::CreateAccount, create, &created).ok());

  // The follower reads what the leader wrote, once (no second "studio").
  v1::ListAccountsResponse accounts;
  ASSERT_TRUE(AdminCall(*follower_, &S::ListAccounts, v1::ListAccountsRequest(),
                        &accounts)
                  .ok());
  int studios = 0;
  for (const auto& a : accounts.accounts()) studios += a == "studio";
  EXPECT_EQ(studios, 1);
}

// Operator work that must have one author (repair, GC, backups, drains)
// runs on the leader only: a follower refuses it with UNAVAILABLE.
TEST_F(CoordinatorFailoverTest, LeaderOnlyAdminRequestsAreRefusedByAFollower) {
  using S = v1::CoordinatorService::Stub;
  v1::RepairResponse repair;
  v1::CollectGarbageRequest gc_req;
  gc_req.set_dry_run(true);
  v1::CollectGarbageResponse gc;
  v1::BackupMetadataResponse backup;
  v1::DrainRequest drain_req;
  drain_req.set_drive_id("w1/d0");
  v1::DrainResponse drain;
  EXPECT_EQ(AdminCall(*follower_, &S::Repair, v1::RepairRequest(), &repair)
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(AdminCall(*follower_, &S::CollectGarbage, gc_req, &gc).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(AdminCall(*follower_, &S::BackupMetadata,
                      v1::BackupMetadataRequest(), &backup)
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(AdminCall(*follower_, &S::Drain, drain_req, &drain).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // The leader takes them (a repair wake-up needs no node).
  grpc::Status on_leader =
      AdminCall(*leader_, &S::Repair, v1::RepairRequest(), &repair);
  EXPECT_TRUE(on_leader.ok()) << on_leader.error_message();
}

}  // namespace
}  // namespace drive::testing
