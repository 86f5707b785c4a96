#include "daemon/coordinator/cluster_scrub.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/support/fake_nodes.h"
#include "tests/support/status_matchers.h"

namespace drive::coordinator {
namespace {

using ::drive::testing::StatusIs;

constexpr uint32_t kPgCount = 8;

// FakeNodes that count the Scrub calls and how many run at once. With
// `rendezvous` > 1, a call waits (up to 10 s) until that many calls are in
// flight, or every drive expected has been called, before it answers.
class CountingNodes : public testing::FakeNodes {
 public:
  explicit CountingNodes(int rendezvous = 1, int expected_calls = 0)
      : FakeNodes(kPgCount),
        rendezvous_(rendezvous),
        expected_calls_(expected_calls) {}

  DriveScrubOutcome Scrub(const DriveView& drive, bool start) override {
    {
      absl::MutexLock lock(&mu_);
      ++calls_;
      ++in_flight_;
      max_in_flight_ = std::max(max_in_flight_, in_flight_);
      auto met = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return in_flight_ >= rendezvous_ || calls_ >= expected_calls_;
      };
      mu_.AwaitWithTimeout(absl::Condition(&met), absl::Seconds(10));
    }
    DriveScrubOutcome out = FakeNodes::Scrub(drive, start);
    absl::MutexLock lock(&mu_);
    --in_flight_;
    return out;
  }

  int calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  int max_in_flight() const {
    absl::MutexLock lock(&mu_);
    return max_in_flight_;
  }

 private:
  const int rendezvous_;
  const int expected_calls_;
  mutable absl::Mutex mu_;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  int max_in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

// An executor that only queues: what a pool whose threads are all busy
// looks like to the fan-out.
class StalledExecutor : public Executor {
 public:
  void Schedule(std::function<void()> task) override {
    tasks_.push_back(std::move(task));
  }
  void RunAll() {
    for (auto& t : tasks_) t();
    tasks_.clear();
  }
  size_t queued() const { return tasks_.size(); }

 private:
  std::vector<std::function<void()>> tasks_;
};

// w1/d0 .. w<n>/d0, alive and up.
ClusterView Drives(int n) {
  ClusterView view;
  for (int i = 1; i <= n; ++i) {
    DriveView d;
    d.info.id = "w" + std::to_string(i) + "/d0";
    d.info.node = "w" + std::to_string(i);
    d.alive = true;
    view.drives.push_back(d);
  }
  return view;
}

TEST(ClusterScrubTest, OneUnreachableDriveGetsAnErrorAndTheOthersStillScrub) {
  ClusterView view = Drives(4);
  CountingNodes nodes;
  nodes.PutChunk("w1/d0", "studio", ChunkId::Of("a"), 10);
  nodes.PutChunk("w3/d0", "studio", ChunkId::Of("b"), 10);
  nodes.PutChunk("w3/d0", "studio", ChunkId::Of("c"), 10);
  nodes.SetUnreachable("w2/d0", true);
  ThreadPoolExecutor executor(4);
  ASSERT_OK_AND_ASSIGN(auto out,
                       ScrubDrives(view, "", true, &nodes, &executor));
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].drive_id, "w1/d0");
  EXPECT_OK(out[0].status);
  EXPECT_EQ(out[0].verified_chunks, 1u);
  EXPECT_EQ(out[1].drive_id, "w2/d0");
  EXPECT_THAT(out[1].status, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(out[2].drive_id, "w3/d0");
  EXPECT_OK(out[2].status);
  EXPECT_EQ(out[2].verified_chunks, 2u);
  EXPECT_EQ(out[3].drive_id, "w4/d0");
  EXPECT_OK(out[3].status);
  EXPECT_EQ(nodes.calls(), 4);
}

TEST(ClusterScrubTest, DriveThatIsNotUpReportsItsLastProgressWithoutACall) {
  ClusterView view = Drives(2);
  view.drives[1].alive = false;
  view.drives[1].scrub.reported = true;
  view.drives[1].scrub.passes = 3;
  CountingNodes nodes;
  ThreadPoolExecutor executor(2);
  ASSERT_OK_AND_ASSIGN(auto out,
                       ScrubDrives(view, "", false, &nodes, &executor));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_OK(out[0].status);
  EXPECT_THAT(out[1].status, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(out[1].drive_id, "w2/d0");
  EXPECT_EQ(out[1].progress.passes, 3u);
  EXPECT_EQ(nodes.calls(), 1);
}

TEST(ClusterScrubTest, NamedDriveAloneIsScrubbedAndAnUnknownOneIsNotFound) {
  ClusterView view = Drives(3);
  CountingNodes nodes;
  ThreadPoolExecutor executor(2);
  ASSERT_OK_AND_ASSIGN(auto out,
                       ScrubDrives(view, "w2/d0", true, &nodes, &executor));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].drive_id, "w2/d0");
  EXPECT_EQ(nodes.calls(), 1);
  EXPECT_THAT(ScrubDrives(view, "w9/d0", true, &nodes, &executor),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(nodes.calls(), 1);
}

TEST(ClusterScrubTest, AtMostMaxParallelDrivesScrubAtOnce) {
  ClusterView view = Drives(7);
  // Each call waits until three are in flight (or the last drive was
  // called): the bound is reached, and must not be passed.
  CountingNodes nodes(/*rendezvous=*/3, /*expected_calls=*/7);
  ThreadPoolExecutor executor(8);
  ASSERT_OK_AND_ASSIGN(auto out, ScrubDrives(view, "", true, &nodes, &executor,
                                             /*max_parallel=*/3));
  EXPECT_EQ(out.size(), 7u);
  EXPECT_EQ(nodes.calls(), 7);
  EXPECT_EQ(nodes.max_in_flight(), 3);
}

TEST(ClusterScrubTest, BusyExecutorSlowsTheFanOutButCannotStallIt) {
  ClusterView view = Drives(3);
  CountingNodes nodes;
  StalledExecutor executor;
  ASSERT_OK_AND_ASSIGN(auto out,
                       ScrubDrives(view, "", true, &nodes, &executor));
  EXPECT_EQ(out.size(), 3u);
  EXPECT_EQ(nodes.calls(), 3);
  // Workers that start after the call returned find nothing left to do.
  EXPECT_EQ(executor.queued(), 2u);
  executor.RunAll();
  EXPECT_EQ(nodes.calls(), 3);
}

}  // namespace
}  // namespace drive::coordinator
