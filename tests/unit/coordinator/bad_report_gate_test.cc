#include "daemon/coordinator/bad_report_gate.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fake_env.h"

namespace drive::coordinator {
namespace {

using V = BadReportVerdict;

class BadReportGateTest : public ::testing::Test {
 protected:
  BadReportGateTest() : gate_(&env_, Options()) {}

  static BadReportOptions Options() {
    BadReportOptions o;
    o.recheck_after = absl::Minutes(10);
    o.caller_burst = 5;
    o.caller_rate = 1;  // per second
    o.max_running = 3;
    return o;
  }

  // Reports chunk `n` on drive w1/d0 as `caller`.
  V Report(int n, const std::string& caller = "account/studio") {
    return gate_.Admit(caller, "w1/d0", "studio", Id(n));
  }
  void Finish(int n) { gate_.Finished("w1/d0", "studio", Id(n)); }
  static ChunkId Id(int n) { return ChunkId::Of("chunk " + std::to_string(n)); }

  testing::FakeEnv env_;
  BadReportGate gate_;
};

TEST_F(BadReportGateTest, RepeatedReportOfACopyStartsOneCheck) {
  EXPECT_EQ(Report(1), V::kCheck);
  for (int i = 0; i < 300; ++i) EXPECT_EQ(Report(1), V::kDuplicate);
  EXPECT_EQ(gate_.running(), 1);
  Finish(1);
  // Still recent after the check ended.
  env_.AdvanceSeconds(9 * 60);
  EXPECT_EQ(Report(1), V::kDuplicate);
  EXPECT_EQ(gate_.running(), 0);
}

TEST_F(BadReportGateTest, CopyIsCheckedAgainAfterRecheckTime) {
  ASSERT_EQ(Report(1), V::kCheck);
  Finish(1);
  env_.AdvanceSeconds(10 * 60);
  EXPECT_EQ(Report(1), V::kCheck);
}

TEST_F(BadReportGateTest, CheckStillRunningAfterRecheckTimeIsNotDuplicated) {
  ASSERT_EQ(Report(1), V::kCheck);
  env_.AdvanceSeconds(11 * 60);
  EXPECT_EQ(Report(1), V::kDuplicate);  // pending: never two at once
  Finish(1);
  EXPECT_EQ(Report(1), V::kCheck);  // it started long ago
}

TEST_F(BadReportGateTest, SameChunkOnAnotherDriveIsAnotherCopy) {
  ASSERT_EQ(Report(1), V::kCheck);
  EXPECT_EQ(gate_.Admit("account/studio", "e1/d0", "studio", Id(1)), V::kCheck);
  EXPECT_EQ(gate_.Admit("account/other", "w1/d0", "other", Id(1)), V::kCheck);
}

TEST_F(BadReportGateTest, CallerOverItsRateIsRefusedAndOthersAreNot) {
  for (int n = 0; n < 5; ++n) {
    ASSERT_EQ(Report(n), V::kCheck);
    Finish(n);
  }
  EXPECT_EQ(Report(5), V::kRateLimited);
  EXPECT_EQ(Report(6), V::kRateLimited);
  // Another caller has its own budget.
  EXPECT_EQ(Report(7, "account/other"), V::kCheck);
  // One token per second comes back.
  env_.AdvanceSeconds(1);
  EXPECT_EQ(Report(5), V::kCheck);
  EXPECT_EQ(Report(6), V::kRateLimited);
  env_.AdvanceSeconds(60);  // refills up to the burst only
  for (int n = 10; n < 15; ++n) {
    EXPECT_EQ(Report(n), V::kCheck);
    Finish(n);
  }
  EXPECT_EQ(Report(15), V::kRateLimited);
}

TEST_F(BadReportGateTest, TooManyRunningChecksMakeReportsWait) {
  ASSERT_EQ(Report(1), V::kCheck);
  ASSERT_EQ(Report(2), V::kCheck);
  ASSERT_EQ(Report(3), V::kCheck);
  EXPECT_EQ(Report(4), V::kBusy);
  Finish(2);
  EXPECT_EQ(Report(4), V::kCheck);
  EXPECT_EQ(gate_.running(), 3);
}

TEST_F(BadReportGateTest, FinishedWithoutACheckChangesNothing) {
  Finish(1);
  EXPECT_EQ(gate_.running(), 0);
  ASSERT_EQ(Report(1), V::kCheck);
  Finish(1);
  Finish(1);
  EXPECT_EQ(gate_.running(), 0);
}

}  // namespace
}  // namespace drive::coordinator
