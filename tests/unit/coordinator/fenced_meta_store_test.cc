// FencedMetaStore over the test MetaStore (embedded, or etcd in
// coordinator_etcd_test): leader-only writes land only while the term
// recorded in the leader key lasts.

#include "daemon/coordinator/fenced_meta_store.h"

#include <string>

#include "daemon/coordinator/namespace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fake_env.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_meta_store.h"

namespace drive::coordinator {
namespace {

using ::drive::testing::StatusHas;
using ::drive::testing::StatusIs;
using ::drive::testing::TempDir;
using ::testing::AllOf;
using ::testing::Not;

class FencedMetaStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, testing::OpenTestMetaStore(dir_.Sub("meta")));
  }

  // Writes the leader key as an election would: a new term.
  int64_t StartTerm(const std::string& leader) {
    MetaBatch b;
    b.Put(std::string(kLeaderKey), leader);
    auto revision = store_->Commit(b);
    EXPECT_OK(revision.status());
    return revision.value_or(0);
  }
  absl::Status EndTerm() {
    MetaBatch b;
    b.Delete(std::string(kLeaderKey));
    return store_->Write(b);
  }
  absl::StatusOr<int64_t> PutAsLeader(FencedMetaStore& fenced,
                                      const std::string& key) {
    FencedMetaStore::LeaderScope scope(&fenced);
    MetaBatch b;
    b.Put(key, "v");
    return fenced.Commit(b);
  }
  std::optional<std::string> ValueOf(const std::string& key) {
    auto v = store_->Get(key);
    EXPECT_OK(v.status());
    return v.value_or(std::nullopt);
  }

  TempDir dir_;
  std::unique_ptr<MetaStore> store_;
};

TEST_F(FencedMetaStoreTest, LeaderWritesWhileItsTermLasts) {
  FixedLeadership leadership(StartTerm("c1:7000"));
  FencedMetaStore fenced(store_.get(), &leadership);
  ASSERT_OK(PutAsLeader(fenced, "m/epoch").status());
  EXPECT_EQ(ValueOf("m/epoch"), "v");
}

TEST_F(FencedMetaStoreTest, WriteOfATermTakenOverIsAbortedAndWritesNothing) {
  // A leader paused past its lease still believes in its term; another
  // coordinator has since created the leader key again.
  FixedLeadership stale(StartTerm("c1:7000"));
  ASSERT_OK(EndTerm());
  StartTerm("c2:7000");
  FencedMetaStore fenced(store_.get(), &stale);
  EXPECT_THAT(PutAsLeader(fenced, "m/epoch"),
              StatusHas(absl::StatusCode::kAborted, "not the leader"));
  EXPECT_EQ(ValueOf("m/epoch"), std::nullopt);
}

TEST_F(FencedMetaStoreTest,
       WriteAfterTheLeaseExpiredIsAbortedAndWritesNothing) {
  // The lease expired and etcd deleted the key; nobody leads yet.
  FixedLeadership stale(StartTerm("c1:7000"));
  ASSERT_OK(EndTerm());
  FencedMetaStore fenced(store_.get(), &stale);
  EXPECT_THAT(PutAsLeader(fenced, "m/epoch"),
              StatusHas(absl::StatusCode::kAborted, "not the leader"));
  EXPECT_EQ(ValueOf("m/epoch"), std::nullopt);
}

TEST_F(FencedMetaStoreTest, NonLeaderIsRefusedInALeaderScope) {
  StartTerm("c2:7000");
  FixedLeadership follower(std::nullopt);
  FencedMetaStore fenced(store_.get(), &follower);
  EXPECT_THAT(PutAsLeader(fenced, "m/epoch"),
              StatusHas(absl::StatusCode::kAborted, "not the leader"));
  EXPECT_EQ(ValueOf("m/epoch"), std::nullopt);
}

TEST_F(FencedMetaStoreTest, CommitsOutsideALeaderScopeAreNotFenced) {
  // Namespace RPCs: every coordinator serves them, leader or not.
  FixedLeadership follower(std::nullopt);
  FencedMetaStore fenced(store_.get(), &follower);
  { FencedMetaStore::LeaderScope ended(&fenced); }
  FencedMetaStore::LeaderScope no_election(nullptr);
  MetaBatch b;
  b.Put("a/alice", "{}");
  ASSERT_OK(fenced.Commit(b).status());
  EXPECT_EQ(ValueOf("a/alice"), "{}");
}

TEST_F(FencedMetaStoreTest, CallersOwnFailedConditionIsNotReportedAsLostTerm) {
  FixedLeadership leadership(StartTerm("c1:7000"));
  FencedMetaStore fenced(store_.get(), &leadership);
  FencedMetaStore::LeaderScope scope(&fenced);
  MetaBatch b;
  b.RequireRevision("m/epoch", 42);  // absent, so at revision 0
  b.Put("m/epoch", "v");
  EXPECT_THAT(
      fenced.Commit(b),
      AllOf(StatusIs(absl::StatusCode::kAborted),
            Not(StatusHas(absl::StatusCode::kAborted, "not the leader"))));
  EXPECT_EQ(ValueOf("m/epoch"), std::nullopt);
}

// Several coordinators on one store: namespace writes are read-modify-write
// under one process's lock, so only the leader makes them. A follower's
// refusal is kUnavailable (clients fail over to the next coordinator) and
// writes nothing; a leader whose term ended is refused the same way.
TEST_F(FencedMetaStoreTest, NamespaceWritesOnlyAsTheLeader) {
  int64_t term = StartTerm("c1");
  FixedLeadership follower(std::nullopt), leader(term);
  FencedMetaStore follower_store(store_.get(), &follower);
  FencedMetaStore leader_store(store_.get(), &leader);
  testing::FakeEnv env;
  NamespaceOptions fo, lo;
  fo.leader_fence = &follower_store;
  lo.leader_fence = &leader_store;
  Namespace on_follower(&follower_store, &env, fo);
  Namespace on_leader(&leader_store, &env, lo);

  EXPECT_THAT(on_follower.CreateAccount("studio", false),
              StatusHas(absl::StatusCode::kUnavailable, "not the leader"));
  ASSERT_OK_AND_ASSIGN(auto none, on_leader.ListAccounts());
  EXPECT_TRUE(none.empty());

  ASSERT_OK(on_leader.CreateAccount("studio", false).status());
  ASSERT_OK_AND_ASSIGN(auto accounts, on_follower.ListAccounts());
  EXPECT_EQ(accounts, std::vector<std::string>{"studio"});  // reads serve

  ASSERT_OK(EndTerm());
  StartTerm("c2");  // c1's term is over in the store, whatever c1 believes
  EXPECT_THAT(on_leader.CreateAccount("other", false),
              StatusIs(absl::StatusCode::kUnavailable));
  ASSERT_OK_AND_ASSIGN(accounts, on_follower.ListAccounts());
  EXPECT_EQ(accounts, std::vector<std::string>{"studio"});
}

}  // namespace
}  // namespace drive::coordinator
