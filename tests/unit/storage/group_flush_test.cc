#include "daemon/storage/group_flush.h"

#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace drive::storage {
namespace {

using ::drive::testing::StatusIs;

TEST(GroupFlushTest, OneWriterTriggersOneFlush) {
  int flushes = 0;
  GroupFlush g([&] {
    ++flushes;
    return absl::OkStatus();
  });
  EXPECT_OK(g.WaitDurable(g.TakeTicket()));
  EXPECT_EQ(flushes, 1);
  // A ticket already covered needs no new flush.
  uint64_t t = g.TakeTicket();
  EXPECT_OK(g.WaitDurable(t));
  EXPECT_OK(g.WaitDurable(t));
  EXPECT_EQ(flushes, 2);
}

TEST(GroupFlushTest, ConcurrentWritersShareFlushes) {
  std::atomic<int> flushes{0};
  GroupFlush g([&] {
    ++flushes;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return absl::OkStatus();
  });
  std::vector<std::thread> writers;
  for (int i = 0; i < 16; ++i) {
    writers.emplace_back([&] {
      for (int j = 0; j < 10; ++j) EXPECT_OK(g.WaitDurable(g.TakeTicket()));
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_LT(flushes.load(), 160);  // grouped, not one flush per write
  EXPECT_EQ(g.rounds(), static_cast<uint64_t>(flushes.load()));
}

TEST(GroupFlushTest, FailedFlushIsReportedAndSticks) {
  bool fail = true;
  GroupFlush g([&] {
    return fail ? absl::UnavailableError("disk gone") : absl::OkStatus();
  });
  EXPECT_THAT(g.WaitDurable(g.TakeTicket()),
              StatusIs(absl::StatusCode::kUnavailable));
  fail = false;
  // Never claims durability after a failure.
  EXPECT_THAT(g.WaitDurable(g.TakeTicket()),
              StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace drive::storage
