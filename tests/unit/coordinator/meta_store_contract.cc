#include "tests/unit/coordinator/meta_store_contract.h"

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "daemon/coordinator/embedded_meta_store.h"
#include "gmock/gmock.h"
#include "tests/support/status_matchers.h"

namespace drive::coordinator {

using ::drive::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string BackendName(const ::testing::TestParamInfo<const MetaBackend*>& i) {
  return i.param->name;
}

std::string ValueOf(MetaStore* store, std::string_view key) {
  auto v = store->Get(key);
  if (!v.ok()) return v.status().ToString();
  return v->value_or("<absent>");
}

void MetaStoreContractTest::SetUp() {
  ASSERT_OK_AND_ASSIGN(
      store_, GetParam()->open(dir_.Sub("store"),
                               MetaLimits{kMaxOps, kMaxBytes}, kPageKeys));
}

int64_t MetaStoreContractTest::Put(const std::string& key,
                                   const std::string& value) {
  MetaBatch b;
  b.Put(key, value);
  auto r = store_->Commit(b);
  EXPECT_OK(r);
  return r.ok() ? *r : -1;
}

std::vector<std::string> MetaStoreContractTest::ScanAll(
    std::string_view prefix, std::string_view start) {
  std::vector<std::string> out;
  EXPECT_OK(
      store_->Scan(prefix, start, [&](std::string_view k, std::string_view v) {
        out.push_back(absl::StrCat(Sv(k), "=", Sv(v)));
        return true;
      }));
  return out;
}

namespace {

TEST_P(MetaStoreContractTest, MissingKeyReadsAsAbsent) {
  ASSERT_OK_AND_ASSIGN(auto r, store_->Read("a/missing"));
  EXPECT_FALSE(r.has_value());
}

TEST_P(MetaStoreContractTest, PutKeyReadsBackWithTheCommitRevision) {
  int64_t rev = Put("a/x", "one");
  ASSERT_OK_AND_ASSIGN(auto r, store_->Read("a/x"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->value, "one");
  EXPECT_EQ(r->revision, rev);
  EXPECT_GT(rev, kAbsentRevision);
  EXPECT_EQ(ValueOf(store_.get(), "a/x"), "one");
}

TEST_P(MetaStoreContractTest, DeletedKeyIsAbsent) {
  Put("a/x", "one");
  MetaBatch b;
  b.Delete("a/x");
  ASSERT_OK(store_->Write(b));
  EXPECT_EQ(ValueOf(store_.get(), "a/x"), "<absent>");
}

TEST_P(MetaStoreContractTest, KeysAndValuesAreBinary) {
  std::string key("f/acct\0dir/\xff\x01", 13);
  std::string value("\0\xff\n", 3);
  Put(key, value);
  EXPECT_EQ(ValueOf(store_.get(), key), value);
  EXPECT_EQ(ValueOf(store_.get(), std::string("f/acct\0", 7)), "<absent>");
}

TEST_P(MetaStoreContractTest, BatchAppliesEveryOpAtOneRevision) {
  Put("a/gone", "x");
  MetaBatch b;
  b.Put("a/1", "one");
  b.Put("a/2", "two");
  b.Delete("a/gone");
  ASSERT_OK_AND_ASSIGN(int64_t rev, store_->Commit(b));
  EXPECT_THAT(ScanAll("a/"), ElementsAre("a/1=one", "a/2=two"));
  ASSERT_OK_AND_ASSIGN(auto r1, store_->Read("a/1"));
  ASSERT_TRUE(r1.has_value());
  ASSERT_OK_AND_ASSIGN(auto r2, store_->Read("a/2"));
  ASSERT_TRUE(r2.has_value());
  EXPECT_EQ(r1->revision, rev);
  EXPECT_EQ(r2->revision, rev);
}

TEST_P(MetaStoreContractTest, LaterOpOnTheSameKeyWins) {
  Put("a/y", "old");
  MetaBatch b;
  b.Put("a/x", "first");
  b.Delete("a/x");
  b.Delete("a/y");
  b.Put("a/y", "second");
  b.Put("a/z", "1");
  b.Put("a/z", "2");
  ASSERT_OK(store_->Write(b));
  EXPECT_THAT(ScanAll("a/"), ElementsAre("a/y=second", "a/z=2"));
}

TEST_P(MetaStoreContractTest, RevisionsGrowAndUntouchedKeysKeepTheirs) {
  int64_t r1 = Put("a/x", "1");
  int64_t r2 = Put("a/y", "1");
  int64_t r3 = Put("a/x", "2");
  EXPECT_LT(r1, r2);
  EXPECT_LT(r2, r3);
  ASSERT_OK_AND_ASSIGN(auto y, store_->Read("a/y"));
  ASSERT_TRUE(y.has_value());
  EXPECT_EQ(y->revision, r2);
}

TEST_P(MetaStoreContractTest, ConditionOnTheCurrentRevisionApplies) {
  int64_t rev = Put("a/x", "1");
  MetaBatch b;
  b.RequireRevision("a/x", rev);
  b.RequireAbsent("a/new");
  b.Put("a/x", "2");
  b.Put("a/new", "n");
  ASSERT_OK(store_->Write(b));
  EXPECT_EQ(ValueOf(store_.get(), "a/x"), "2");
  EXPECT_EQ(ValueOf(store_.get(), "a/new"), "n");
}

TEST_P(MetaStoreContractTest,
       ConditionOnAStaleRevisionIsAbortedAndNothingApplied) {
  int64_t seen = Put("a/x", "1");
  Put("a/x", "changed by another writer");
  MetaBatch b;
  b.RequireRevision("a/x", seen);
  b.Put("a/x", "mine");
  b.Put("a/other", "mine");
  EXPECT_THAT(store_->Write(b), StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(ValueOf(store_.get(), "a/x"), "changed by another writer");
  EXPECT_EQ(ValueOf(store_.get(), "a/other"), "<absent>");
}

TEST_P(MetaStoreContractTest, RequireAbsentFailsOnAnExistingKey) {
  Put("a/x", "1");
  MetaBatch b;
  b.RequireAbsent("a/x");
  b.Put("a/x", "2");
  EXPECT_THAT(store_->Write(b), StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(ValueOf(store_.get(), "a/x"), "1");
}

TEST_P(MetaStoreContractTest, DeletedKeyIsAbsentForConditions) {
  int64_t rev = Put("a/x", "1");
  MetaBatch del;
  del.Delete("a/x");
  ASSERT_OK(store_->Write(del));
  MetaBatch stale;
  stale.RequireRevision("a/x", rev);
  stale.Put("a/x", "2");
  EXPECT_THAT(store_->Write(stale), StatusIs(absl::StatusCode::kAborted));
  MetaBatch create;
  create.RequireAbsent("a/x");
  create.Put("a/x", "3");
  ASSERT_OK(store_->Write(create));
  EXPECT_EQ(ValueOf(store_.get(), "a/x"), "3");
}

TEST_P(MetaStoreContractTest, ConditionsAloneCheckWithoutWriting) {
  int64_t rev = Put("a/x", "1");
  MetaBatch holds;
  holds.RequireRevision("a/x", rev);
  ASSERT_OK_AND_ASSIGN(int64_t after, store_->Commit(holds));
  EXPECT_EQ(after, rev);
  MetaBatch fails;
  fails.RequireAbsent("a/x");
  EXPECT_THAT(store_->Commit(fails), StatusIs(absl::StatusCode::kAborted));
}

TEST_P(MetaStoreContractTest, ScanListsOnlyThePrefixInKeyOrder) {
  for (const char* k : {"f/b", "f/a", "fa", "e/z", "f/c", "g/"}) Put(k, "v");
  EXPECT_THAT(ScanAll("f/"), ElementsAre("f/a=v", "f/b=v", "f/c=v"));
  EXPECT_THAT(ScanAll("h/"), IsEmpty());
  EXPECT_THAT(ScanAll(""),
              ElementsAre("e/z=v", "f/a=v", "f/b=v", "f/c=v", "fa=v", "g/=v"));
}

TEST_P(MetaStoreContractTest, ScanStartsAtTheStartKey) {
  for (const char* k : {"f/a", "f/b", "f/c", "f/d"}) Put(k, "v");
  EXPECT_THAT(ScanAll("f/", "f/b"), ElementsAre("f/b=v", "f/c=v", "f/d=v"));
  EXPECT_THAT(ScanAll("f/", "f/bb"), ElementsAre("f/c=v", "f/d=v"));
  EXPECT_THAT(ScanAll("f/", "a"),
              ElementsAre("f/a=v", "f/b=v", "f/c=v", "f/d=v"));
}

TEST_P(MetaStoreContractTest, ScanCrossesPagesAndStopsWhenAsked) {
  // kPageKeys is 3: 10 keys are four pages on etcd.
  for (int i = 0; i < 10; ++i) Put(absl::StrCat("p/", i), absl::StrCat(i));
  Put("q/after", "x");
  EXPECT_EQ(ScanAll("p/").size(), 10u);
  std::vector<std::string> seen;
  ASSERT_OK(
      store_->Scan("p/", "p/2", [&](std::string_view k, std::string_view) {
        seen.emplace_back(k);
        return seen.size() < 5;
      }));
  EXPECT_THAT(seen, ElementsAre("p/2", "p/3", "p/4", "p/5", "p/6"));
}

TEST_P(MetaStoreContractTest, ScanSeesOneStateWhileOthersWrite) {
  for (int i = 0; i < 7; ++i) Put(absl::StrCat("p/", i), "old");
  std::vector<std::string> seen;
  bool wrote = false;
  ASSERT_OK(store_->Scan("p/", "", [&](std::string_view k, std::string_view v) {
    seen.push_back(absl::StrCat(Sv(k), "=", Sv(v)));
    if (!wrote) {
      // Behind and ahead of the scan, on later pages.
      MetaBatch b;
      b.Put("p/6", "new");
      b.Put("p/7", "new");
      b.Delete("p/5");
      EXPECT_OK(store_->Write(b));
      wrote = true;
    }
    return true;
  }));
  EXPECT_THAT(seen, ElementsAre("p/0=old", "p/1=old", "p/2=old", "p/3=old",
                                "p/4=old", "p/5=old", "p/6=old"));
}

TEST_P(MetaStoreContractTest, ScanReportsRevisions) {
  int64_t ra = Put("p/a", "1");
  int64_t rb = Put("p/b", "1");
  std::vector<int64_t> revisions;
  ASSERT_OK(store_->ScanEntries("p/", "", [&](const MetaEntry& e) {
    revisions.push_back(e.revision);
    return true;
  }));
  EXPECT_THAT(revisions, ElementsAre(ra, rb));
}

TEST_P(MetaStoreContractTest, TooManyOpsIsResourceExhaustedAndNothingApplied) {
  MetaBatch b;
  for (int i = 0; i <= kMaxOps; ++i) b.Put(absl::StrCat("a/", i), "v");
  EXPECT_THAT(store_->Write(b), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(ScanAll("a/"), IsEmpty());
  // Ops on one key count once: this batch writes kMaxOps keys.
  MetaBatch same;
  for (int i = 0; i < kMaxOps; ++i) same.Put(absl::StrCat("a/", i), "v");
  same.Put("a/0", "again");
  ASSERT_OK(store_->Write(same));
  EXPECT_EQ(ScanAll("a/").size(), static_cast<size_t>(kMaxOps));
}

TEST_P(MetaStoreContractTest, TooManyConditionsIsResourceExhausted) {
  MetaBatch b;
  for (int i = 0; i <= kMaxOps; ++i) b.RequireAbsent(absl::StrCat("a/", i));
  b.Put("a/x", "v");
  EXPECT_THAT(store_->Write(b), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(ValueOf(store_.get(), "a/x"), "<absent>");
}

TEST_P(MetaStoreContractTest,
       TooLargeWriteIsResourceExhaustedAndNothingApplied) {
  MetaBatch b;
  b.Put("a/small", "v");
  b.Put("a/big", std::string(kMaxBytes, 'x'));
  EXPECT_THAT(store_->Write(b), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(ScanAll("a/"), IsEmpty());
  MetaBatch fits;
  fits.Put("a/big", std::string(kMaxBytes / 2, 'x'));
  EXPECT_OK(store_->Write(fits));
}

// CheckLimits answers what Commit would, without writing: callers size
// their writes with it (Namespace::CommitEach).
TEST_P(MetaStoreContractTest, CheckLimitsAgreesWithCommitAndWritesNothing) {
  MetaBatch ops, conditions, bytes, bad_key, fits;
  for (int i = 0; i <= kMaxOps; ++i) {
    ops.Put(absl::StrCat("a/", i), "v");
    conditions.RequireAbsent(absl::StrCat("a/", i));
  }
  bytes.Put("a/big", std::string(kMaxBytes, 'x'));
  bad_key.Put("", "v");
  for (int i = 0; i < kMaxOps; ++i) fits.Put(absl::StrCat("a/", i), "v");
  for (const MetaBatch* b : {&ops, &conditions, &bytes}) {
    EXPECT_THAT(store_->CheckLimits(*b),
                StatusIs(absl::StatusCode::kResourceExhausted));
    EXPECT_THAT(store_->Write(*b),
                StatusIs(absl::StatusCode::kResourceExhausted));
  }
  EXPECT_THAT(store_->CheckLimits(bad_key),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_OK(store_->CheckLimits(fits));
  EXPECT_THAT(ScanAll("a/"), IsEmpty());
  EXPECT_OK(store_->Write(fits));
}

TEST_P(MetaStoreContractTest, ReservedAndEmptyKeysAreRefused) {
  MetaBatch empty_key;
  empty_key.Put("", "v");
  EXPECT_THAT(store_->Write(empty_key),
              StatusIs(absl::StatusCode::kInvalidArgument));
  MetaBatch nul_key;
  nul_key.Put(std::string("\0x", 2), "v");
  EXPECT_THAT(store_->Write(nul_key),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->Read(std::string("\0c", 2)),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_P(MetaStoreContractTest, CheckpointIsAnEmbeddedCopyOfOneState) {
  for (int i = 0; i < 7; ++i) Put(absl::StrCat("f/", i), absl::StrCat(i));
  Put("m/epoch", "3");
  std::string dir = dir_.Sub("checkpoint");
  ASSERT_OK(store_->Checkpoint(dir));
  Put("f/later", "x");
  ASSERT_OK_AND_ASSIGN(auto copy, EmbeddedMetaStore::Open(dir));
  std::vector<std::string> all;
  ASSERT_OK(copy->Scan("", "", [&](std::string_view k, std::string_view v) {
    all.push_back(absl::StrCat(Sv(k), "=", Sv(v)));
    return true;
  }));
  EXPECT_THAT(all, ElementsAre("f/0=0", "f/1=1", "f/2=2", "f/3=3", "f/4=4",
                               "f/5=5", "f/6=6", "m/epoch=3"));
  // The copy is a working store with revisions of its own.
  ASSERT_OK_AND_ASSIGN(auto epoch, copy->Read("m/epoch"));
  ASSERT_TRUE(epoch.has_value());
  MetaBatch b;
  b.RequireRevision("m/epoch", epoch->revision);
  b.Put("m/epoch", "4");
  EXPECT_OK(copy->Write(b));
}

TEST_P(MetaStoreContractTest, CheckpointIntoAnExistingDirectoryFails) {
  Put("f/a", "1");
  ASSERT_OK(store_->Checkpoint(dir_.Sub("checkpoint")));
  EXPECT_THAT(store_->Checkpoint(dir_.Sub("checkpoint")),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace drive::coordinator
