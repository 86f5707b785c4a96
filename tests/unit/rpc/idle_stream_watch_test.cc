#include "daemon/rpc/idle_stream_watch.h"

#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fake_env.h"

namespace drive::rpc {
namespace {

struct CountingStream : IdleStreamWatch::Stream {
  void OnIdle() override { ++idle; }
  std::atomic<int> idle{0};
};

// The watch checks every 5 ms on its own thread; the fake clock decides
// what is idle. Waits (bounded) for the thread to act.
constexpr absl::Duration kTick = absl::Milliseconds(5);

bool WaitFor(const std::function<bool()>& done) {
  for (int i = 0; i < 500 && !done(); ++i)
    absl::SleepFor(absl::Milliseconds(10));
  return done();
}

TEST(IdleStreamWatchTest, StreamWithoutMessagesIsToldOnceWhenIdle) {
  testing::FakeEnv env;
  IdleStreamWatch watch(&env, absl::Seconds(30), 10, kTick);
  CountingStream quiet, busy;
  ASSERT_TRUE(watch.Add(&quiet));
  ASSERT_TRUE(watch.Add(&busy));
  env.AdvanceSeconds(20);
  watch.Touch(&busy);
  env.AdvanceSeconds(15);  // quiet: 35 s, busy: 15 s
  ASSERT_TRUE(WaitFor([&] { return quiet.idle == 1; }));
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(quiet.idle, 1);
  EXPECT_EQ(busy.idle, 0);
  EXPECT_EQ(watch.size(), 1u);  // the idle one is no longer watched
  watch.Remove(&quiet);         // harmless
  watch.Remove(&busy);
  EXPECT_EQ(watch.size(), 0u);
}

TEST(IdleStreamWatchTest, RemovedStreamIsNeverTold) {
  testing::FakeEnv env;
  IdleStreamWatch watch(&env, absl::Seconds(1), 10, kTick);
  CountingStream s;
  ASSERT_TRUE(watch.Add(&s));
  watch.Remove(&s);
  env.AdvanceSeconds(5);
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(s.idle, 0);
}

TEST(IdleStreamWatchTest, AtMostMaxStreamsAreWatched) {
  testing::FakeEnv env;
  IdleStreamWatch watch(&env, absl::Seconds(30), 2, kTick);
  CountingStream a, b, c;
  EXPECT_TRUE(watch.Add(&a));
  EXPECT_TRUE(watch.Add(&b));
  EXPECT_FALSE(watch.Add(&c));
  watch.Remove(&a);
  EXPECT_TRUE(watch.Add(&c));
  watch.Remove(&b);
  watch.Remove(&c);
}

}  // namespace
}  // namespace drive::rpc
