// LeaderElection and fencing against a real etcd (one per test binary, a
// fresh key prefix per test). Leases of 2 s, etcd's minimum with its
// default election timeout.

#include "daemon/etcd/leader_election.h"

#include <chrono>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "daemon/coordinator/fenced_meta_store.h"
#include "daemon/etcd/etcd_meta_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_meta_store.h"

namespace drive::etcd {
namespace {

using ::drive::coordinator::FencedMetaStore;
using ::drive::coordinator::FixedLeadership;
using ::drive::coordinator::MetaBatch;
using ::drive::testing::SharedEtcd;
using ::drive::testing::StatusHas;
using ::drive::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Pair;

constexpr absl::Duration kTtl = absl::Seconds(2);

// Leadership changes one election reported, in order.
class ChangeLog {
 public:
  LeaderElection::ChangeFn Fn() {
    return [this](bool leader, int64_t term) {
      absl::MutexLock lock(&mu_);
      changes_.emplace_back(leader, term);
    };
  }
  std::vector<std::pair<bool, int64_t>> changes() const {
    absl::MutexLock lock(&mu_);
    return changes_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::pair<bool, int64_t>> changes_;
};

class LeaderElectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(SharedEtcd(), nullptr) << "etcd did not start";
    target_.endpoints = {SharedEtcd()->endpoint()};
    target_.prefix =
        std::string("/election/") +
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }

  std::unique_ptr<LeaderElection> Candidate(const std::string& name,
                                            ChangeLog* log = nullptr) {
    LeaderElectionOptions o;
    o.target = target_;
    o.candidate = name;
    o.ttl = kTtl;
    auto e = LeaderElection::Start(
        std::move(o), log ? log->Fn() : LeaderElection::ChangeFn());
    EXPECT_OK(e.status());
    return e.ok() ? std::move(*e) : nullptr;
  }

  std::unique_ptr<EtcdMetaStore> Store() {
    EtcdMetaOptions o;
    o.target = target_;
    auto store = EtcdMetaStore::Connect(std::move(o));
    EXPECT_OK(store.status());
    return store.ok() ? std::move(*store) : nullptr;
  }

  // Waits for exactly one of the two to lead; returns it (null on timeout).
  static LeaderElection* OneLeader(LeaderElection* a, LeaderElection* b,
                                   absl::Duration timeout) {
    absl::Time until = absl::Now() + timeout;
    while (absl::Now() < until) {
      bool la = a->is_leader(), lb = b->is_leader();
      if (la != lb) return la ? a : b;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return nullptr;
  }

  // Seconds until `e` leads, at most `timeout`; -1 when it never did.
  static double SecondsUntilLeader(LeaderElection* e, absl::Duration timeout) {
    absl::Time start = absl::Now();
    if (!e->WaitForLeadership(timeout)) return -1;
    return absl::ToDoubleSeconds(absl::Now() - start);
  }

  static absl::Status PutAsLeader(FencedMetaStore* fenced) {
    FencedMetaStore::LeaderScope scope(fenced);
    MetaBatch b;
    b.Put("m/epoch", "9");
    return fenced->Write(b);
  }

  EtcdTarget target_;
};

TEST_F(LeaderElectionTest, ExactlyOneOfTwoCandidatesLeads) {
  auto a = Candidate("a:7000");
  auto b = Candidate("b:7000");
  LeaderElection* leader = OneLeader(a.get(), b.get(), absl::Seconds(10));
  ASSERT_NE(leader, nullptr);
  LeaderElection* follower = leader == a.get() ? b.get() : a.get();
  std::string name = leader == a.get() ? "a:7000" : "b:7000";
  // Stays so over several keep-alives and polls.
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(leader->is_leader());
    ASSERT_FALSE(follower->is_leader());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  LeaderState seen = follower->state();
  EXPECT_EQ(seen.leader, name);
  EXPECT_EQ(seen.term, *leader->Term());
  EXPECT_FALSE(seen.self);
  EXPECT_TRUE(leader->state().self);
}

TEST_F(LeaderElectionTest, FollowerTakesOverWithinTwoTtlsAfterLeaderCrash) {
  auto a = Candidate("a:7000");
  ASSERT_TRUE(a->WaitForLeadership(absl::Seconds(10)));
  int64_t first_term = *a->Term();
  auto b = Candidate("b:7000");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_FALSE(b->is_leader());
  // Gone without revoking its lease, as after kill -9.
  a->AbandonForTesting();
  a.reset();
  double took = SecondsUntilLeader(b.get(), 2 * kTtl);
  EXPECT_GE(took, 0) << "no new leader within 2 x TTL";
  ASSERT_TRUE(b->Term().has_value());
  EXPECT_GT(*b->Term(), first_term);
}

TEST_F(LeaderElectionTest, LeaderThatStopsHandsOverAtOnce) {
  auto a = Candidate("a:7000");
  ASSERT_TRUE(a->WaitForLeadership(absl::Seconds(10)));
  auto b = Candidate("b:7000");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  a.reset();  // revokes its lease
  // Within one poll of b, not after a lease TTL.
  double took = SecondsUntilLeader(b.get(), kTtl);
  EXPECT_GE(took, 0);
  EXPECT_LT(took, absl::ToDoubleSeconds(kTtl));
}

TEST_F(LeaderElectionTest, PausedLeaderIsFencedOffAndStepsDownOnResume) {
  ChangeLog a_log;
  auto a = Candidate("a:7000", &a_log);
  ASSERT_TRUE(a->WaitForLeadership(absl::Seconds(10)));
  int64_t a_term = *a->Term();
  auto b = Candidate("b:7000");
  auto store = Store();
  ASSERT_NE(store, nullptr);
  FencedMetaStore a_fenced(store.get(), a.get());
  ASSERT_OK(PutAsLeader(&a_fenced));

  // SIGSTOP-like: no keep-alives; b takes over once the lease expired.
  a->PauseForTesting(true);
  EXPECT_GE(SecondsUntilLeader(b.get(), 2 * kTtl), 0);
  // a knows without running its loop: the lease may have lapsed.
  EXPECT_FALSE(a->is_leader());
  EXPECT_THAT(PutAsLeader(&a_fenced),
              StatusHas(absl::StatusCode::kAborted, "not the leader"));
  // A write that passed the local check just before the pause is refused
  // by etcd itself: the leader key is no longer at a's term.
  FixedLeadership believes_old_term(a_term);
  FencedMetaStore in_flight(store.get(), &believes_old_term);
  EXPECT_THAT(PutAsLeader(&in_flight),
              StatusHas(absl::StatusCode::kAborted, "not the leader"));
  FencedMetaStore b_fenced(store.get(), b.get());
  ASSERT_OK(PutAsLeader(&b_fenced));

  // SIGCONT-like: a notices, steps down and follows b.
  a->PauseForTesting(false);
  absl::Time until = absl::Now() + absl::Seconds(5);
  while (a_log.changes().size() < 2 && absl::Now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_THAT(a_log.changes(),
              ElementsAre(Pair(true, a_term), Pair(false, a_term)));
  std::this_thread::sleep_for(absl::ToChronoMilliseconds(kTtl / 2));
  EXPECT_FALSE(a->is_leader());
  EXPECT_TRUE(b->is_leader());
  EXPECT_EQ(a->state().leader, "b:7000");
}

TEST_F(LeaderElectionTest, RefusesBadOptions) {
  LeaderElectionOptions o;
  o.target = target_;
  EXPECT_THAT(LeaderElection::Start(o),
              StatusIs(absl::StatusCode::kInvalidArgument));  // no candidate
  o.candidate = "a:7000";
  o.ttl = absl::Milliseconds(500);
  EXPECT_THAT(LeaderElection::Start(o),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace drive::etcd
