#include "daemon/coordinator/maintenance.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "tests/support/fake_env.h"

namespace drive::coordinator {
namespace {

using ::testing::ElementsAre;

// Drives Maintenance on a FakeEnv, whose waits move the clock on at once:
// a schedule of minutes runs in milliseconds, and each round records the
// fake time it ran at (seconds after the start).
class MaintenanceTest : public ::testing::Test {
 protected:
  MaintenanceTest() : start_(env_.Now()) {}

  // The seconds after start at which the first `n` repair rounds ran;
  // round i (from 0) returns answers[i] (false past the end), and
  // `during` runs inside round i when given.
  std::vector<int64_t> RepairRounds(
      size_t n, MaintenanceOptions options, std::vector<bool> answers,
      std::function<void(size_t, Maintenance*)> during = nullptr) {
    absl::Mutex mu;
    std::vector<int64_t> at;
    absl::Notification enough;
    Maintenance* self = nullptr;
    auto repair = [&] {
      absl::MutexLock lock(&mu);
      size_t i = at.size();
      if (i >= n) return false;
      at.push_back(absl::ToInt64Seconds(env_.Now() - start_));
      if (during) during(i, self);
      if (at.size() == n) enough.Notify();
      return i < answers.size() && answers[i];
    };
    ThreadPoolExecutor executor(3);
    {
      Maintenance maintenance(
          repair, [] {}, [] {}, &env_, options);
      self = &maintenance;
      maintenance.Start(&executor);
      EXPECT_TRUE(enough.WaitForNotificationWithTimeout(absl::Seconds(30)));
    }  // stops the loops and waits for them
    absl::MutexLock lock(&mu);
    return at;
  }

  static MaintenanceOptions RepairOnly() {
    MaintenanceOptions options;
    options.repair_interval = absl::Seconds(30);
    options.gc_interval = absl::ZeroDuration();
    options.backup_interval = absl::ZeroDuration();
    return options;
  }

  testing::FakeEnv env_;
  const absl::Time start_;
};

TEST_F(MaintenanceTest, FirstSweepAfterTwoSecondsThenOnePerInterval) {
  EXPECT_THAT(RepairRounds(3, RepairOnly(), {}), ElementsAre(2, 32, 62));
}

TEST_F(MaintenanceTest, SweepThatFoundWorkIsFollowedByAnotherAfterOneSecond) {
  EXPECT_THAT(RepairRounds(4, RepairOnly(), {true, true, false}),
              ElementsAre(2, 3, 4, 34));
}

TEST_F(MaintenanceTest, WakeUpDuringSweepRunsTheNextSweepAtOnce) {
  auto wake_in_first = [](size_t i, Maintenance* m) {
    if (i == 0) m->WakeRepair();
  };
  EXPECT_THAT(RepairRounds(3, RepairOnly(), {}, wake_in_first),
              ElementsAre(2, 2, 32));
}

TEST_F(MaintenanceTest, GarbageCollectionRunsOncePerInterval) {
  MaintenanceOptions options;
  options.repair_interval = absl::Hours(1000);
  options.gc_interval = absl::Seconds(20);
  options.backup_interval = absl::ZeroDuration();
  absl::Notification collected;
  int64_t at = -1;
  ThreadPoolExecutor executor(3);
  {
    Maintenance maintenance([] { return false; },
                            [&] {
                              if (collected.HasBeenNotified()) return;
                              at = absl::ToInt64Seconds(env_.Now() - start_);
                              collected.Notify();
                            },
                            [] {}, &env_, options);
    maintenance.Start(&executor);
    ASSERT_TRUE(collected.WaitForNotificationWithTimeout(absl::Seconds(30)));
  }
  // The repair loop's waits move the shared clock too, so the collection
  // may see a later time, but never an earlier one than its interval.
  EXPECT_GE(at, 20);
}

TEST_F(MaintenanceTest, StopEndsLoopsThatWaitForTheirInterval) {
  MaintenanceOptions options;
  options.repair_interval = absl::Hours(1);
  ThreadPoolExecutor executor(3);
  Maintenance maintenance([] { return false; }, [] {}, [] {}, &env_, options);
  maintenance.Start(&executor);
  maintenance.Stop();
  maintenance.Stop();  // idempotent
}

}  // namespace
}  // namespace drive::coordinator
