#include "daemon/coordinator/liveness_ticker.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/time/clock.h"
#include "daemon/coordinator/embedded_meta_store.h"
#include "daemon/coordinator/leader_gate.h"
#include "daemon/coordinator/leadership.h"
#include "gtest/gtest.h"
#include "tests/support/fake_env.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_nodes.h"

namespace drive::coordinator {
namespace {

using ::drive::testing::FakeEnv;
using ::drive::testing::TempDir;
using ::drive::testing::TestNodeRecord;

constexpr uint32_t kPgCount = 16;
constexpr absl::Duration kPeriod = absl::Milliseconds(1);

class LivenessTickerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, EmbeddedMetaStore::Open(dir_.Sub("meta")));
    registry_ = NewRegistry();
  }

  std::unique_ptr<NodeRegistry> NewRegistry() {
    RegistryOptions o;
    o.regions = {"west", "east"};
    o.pg_count = kPgCount;
    return std::make_unique<NodeRegistry>(store_.get(), &env_, o);
  }

  void RegisterTwoNodes(NodeRegistry& registry) {
    ASSERT_OK(registry.Register(TestNodeRecord("w1", "west", kPgCount)));
    ASSERT_OK(registry.Register(TestNodeRecord("e1", "east", kPgCount)));
  }

  // Polls `done` every millisecond, up to 5 s.
  template <typename Done>
  void WaitFor(Done done) {
    absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (!done() && absl::Now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  std::optional<DriveState> StateOfW1(const NodeRegistry& registry) {
    auto view = registry.View();
    const DriveView* d = view->Find("w1/d0");
    if (d == nullptr) return std::nullopt;
    return d->info.state;
  }

  TempDir dir_;
  FakeEnv env_;
  std::unique_ptr<MetaStore> store_;
  std::unique_ptr<NodeRegistry> registry_;
};

TEST_F(LivenessTickerTest, LeaderMarksASilentNodeDown) {
  RegisterTwoNodes(*registry_);
  FixedLeadership leader(0);
  LeaderGate gate(&leader, nullptr);
  LivenessTicker ticker(registry_.get(), &gate, /*loaded_as_leader=*/true,
                        kPeriod);
  ticker.Start();
  env_.AdvanceSeconds(11);  // past down_after (10 s)
  WaitFor([&] { return StateOfW1(*registry_) == DriveState::kDown; });
  EXPECT_EQ(StateOfW1(*registry_), DriveState::kDown);
}

TEST_F(LivenessTickerTest, FollowerLeavesLivenessAlone) {
  RegisterTwoNodes(*registry_);
  FixedLeadership follower(std::nullopt);
  LeaderGate gate(&follower, nullptr);
  LivenessTicker ticker(registry_.get(), &gate, /*loaded_as_leader=*/false,
                        kPeriod);
  ticker.Start();
  env_.AdvanceSeconds(11);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ticker.Stop();
  EXPECT_EQ(StateOfW1(*registry_), DriveState::kUp);
}

TEST_F(LivenessTickerTest, NewLeaderTakesTheStoredRegistryOverMarkingNobody) {
  // Another coordinator registered the nodes; this one has not loaded them.
  auto other = NewRegistry();
  RegisterTwoNodes(*other);
  env_.AdvanceSeconds(11);  // silent past down_after, as seen by `other`
  ASSERT_EQ(StateOfW1(*registry_), std::nullopt);
  FixedLeadership leader(7);
  LeaderGate gate(&leader, nullptr);
  LivenessTicker ticker(registry_.get(), &gate, /*loaded_as_leader=*/false,
                        kPeriod);
  ticker.Start();
  WaitFor([&] { return StateOfW1(*registry_).has_value(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // more ticks
  ticker.Stop();
  // Loaded, and every node counted as just heard from: nobody is down.
  EXPECT_EQ(StateOfW1(*registry_), DriveState::kUp);
}

TEST_F(LivenessTickerTest, StopIsIdempotentAndSafeBeforeStart) {
  FixedLeadership leader(0);
  LeaderGate gate(&leader, nullptr);
  LivenessTicker never_started(registry_.get(), &gate, true, kPeriod);
  never_started.Stop();
  LivenessTicker ticker(registry_.get(), &gate, true, kPeriod);
  ticker.Start();
  ticker.Stop();
  ticker.Stop();
}

}  // namespace
}  // namespace drive::coordinator
