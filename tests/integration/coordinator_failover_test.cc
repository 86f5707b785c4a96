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

#include "gtest/gtest.h"
#include "tests/support/child_process.h"
#include "tests/support/node_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_meta_store.h"

namespace drive::testing {
namespace {

constexpr int kTtlSeconds = 2;

// A `drived coordinator` child on ephemeral loopback ports.
class CoordinatorProcess {
 public:
  CoordinatorProcess(std::string dir, std::string meta)
      : dir_(std::move(dir)), meta_(std::move(meta)) {
    std::filesystem::create_directories(dir_);
  }
  ~CoordinatorProcess() { KillChild(&pid_); }

  bool Start() {
    std::string token = dir_ + "/token";
    if (FILE* f = std::fopen(token.c_str(), "w")) {
      std::fputs("failover-test-token-0123456789", f);
      std::fclose(f);
    }
    std::string ready = dir_ + "/ready.json";
    pid_ = SpawnLogged({BinaryPath("daemon/drived"),
                        "coordinator",
                        "--listen",
                        "127.0.0.1:0",
                        "--metrics-listen",
                        "127.0.0.1:0",
                        "--data",
                        dir_ + "/db",
                        "--meta",
                        meta_,
                        "--leader-ttl",
                        std::to_string(kTtlSeconds) + "s",
                        "--admin-token-file",
                        token,
                        "--cluster-token-file",
                        token,
                        "--ready-file",
                        ready,
                        "--gc-interval",
                        "0",
                        "--backup-interval",
                        "0"},
                       log());
    auto groups = WaitForReadyFile(&pid_, ready, R"re("metrics_port": (\d+))re",
                                   std::chrono::seconds(30));
    if (!groups) {
      std::fprintf(stderr, "coordinator did not start; log:\n%s\n",
                   ReadFileOrEmpty(log()).c_str());
      return false;
    }
    metrics_port_ = std::stoi(groups->at(1));
    return true;
  }
  void Kill() { KillChild(&pid_); }
  void Signal(int sig) { ::kill(pid_, sig); }
  // drive_coordinator_leader from /metrics; -1 when unreadable.
  int LeaderGauge() const {
    std::string body = HttpGet(metrics_port_, "/metrics");
    std::smatch m;
    static const std::regex kGauge(R"(\ndrive_coordinator_leader (\d+))");
    if (!std::regex_search(body, m, kGauge)) return -1;
    return std::stoi(m[1]);
  }
  std::string log() const { return dir_ + "/coordinator.log"; }

 private:
  std::string dir_;
  std::string meta_;
  pid_t pid_ = -1;
  int metrics_port_ = 0;
};

// Waits until exactly one of `a`, `b` reports leading; it, or null.
CoordinatorProcess* OneLeader(CoordinatorProcess* a, CoordinatorProcess* b,
                              std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    int la = a->LeaderGauge(), lb = b->LeaderGauge();
    if (la + lb == 1 && la >= 0 && lb >= 0) return la == 1 ? a : b;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return nullptr;
}

// Polls until `c` reports `value` or `timeout` passes; whether it did.
bool WaitForGauge(const CoordinatorProcess& c, int value,
                  std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (c.LeaderGauge() != value) {
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
    c1_ = std::make_unique<CoordinatorProcess>(dir_.Sub("c1"), meta);
    c2_ = std::make_unique<CoordinatorProcess>(dir_.Sub("c2"), meta);
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
      << ReadFileOrEmpty(follower_->log());
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
  EXPECT_EQ(leader_->LeaderGauge(), 0);
  EXPECT_EQ(follower_->LeaderGauge(), 1);
  EXPECT_NE(ReadFileOrEmpty(leader_->log()).find("event=leader_stepped_down"),
            std::string::npos)
      << ReadFileOrEmpty(leader_->log());
}

}  // namespace
}  // namespace drive::testing
