#include "daemon/gateway/connection_limiter.h"

#include "gtest/gtest.h"

namespace drive::gateway {
namespace {

using Verdict = ConnectionLimiter::Verdict;

// Issue 10 (slowloris): one client holding its maximum of sockets must not
// lock out anyone else.
TEST(ConnectionLimiterTest, Issue10ClientAtItsLimitDoesNotStopOthers) {
  ConnectionLimiter limiter(100, 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.TryAdmit("10.0.0.1"), Verdict::kAdmitted);
  }
  EXPECT_EQ(limiter.TryAdmit("10.0.0.1"), Verdict::kClientFull);
  EXPECT_EQ(limiter.TryAdmit("10.0.0.2"), Verdict::kAdmitted);
  EXPECT_EQ(limiter.TryAdmit("::1"), Verdict::kAdmitted);
  EXPECT_EQ(limiter.from("10.0.0.1"), 3u);
  EXPECT_EQ(limiter.total(), 5u);
}

TEST(ConnectionLimiterTest, ReleaseFreesTheClientsSlot) {
  ConnectionLimiter limiter(100, 1);
  EXPECT_EQ(limiter.TryAdmit("10.0.0.1"), Verdict::kAdmitted);
  EXPECT_EQ(limiter.TryAdmit("10.0.0.1"), Verdict::kClientFull);
  limiter.Release("10.0.0.1");
  EXPECT_EQ(limiter.from("10.0.0.1"), 0u);
  EXPECT_EQ(limiter.total(), 0u);
  EXPECT_EQ(limiter.TryAdmit("10.0.0.1"), Verdict::kAdmitted);
}

TEST(ConnectionLimiterTest, TotalCapAppliesAcrossClients) {
  ConnectionLimiter limiter(2, 2);
  EXPECT_EQ(limiter.TryAdmit("a"), Verdict::kAdmitted);
  EXPECT_EQ(limiter.TryAdmit("b"), Verdict::kAdmitted);
  EXPECT_EQ(limiter.TryAdmit("c"), Verdict::kServerFull);
  // A refused client holds nothing.
  EXPECT_EQ(limiter.from("c"), 0u);
  limiter.Release("a");
  EXPECT_EQ(limiter.TryAdmit("c"), Verdict::kAdmitted);
}

TEST(ConnectionLimiterTest, ReleaseOfAnUnknownClientChangesNothing) {
  ConnectionLimiter limiter(2, 2);
  EXPECT_EQ(limiter.TryAdmit("a"), Verdict::kAdmitted);
  limiter.Release("b");
  EXPECT_EQ(limiter.total(), 1u);
  EXPECT_EQ(limiter.from("a"), 1u);
}

}  // namespace
}  // namespace drive::gateway
