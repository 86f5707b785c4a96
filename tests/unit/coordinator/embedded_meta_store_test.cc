#include "daemon/coordinator/embedded_meta_store.h"

#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/coordinator/meta_store_contract.h"

namespace drive::coordinator {
namespace {

const MetaBackend kEmbedded{
    "Embedded", [](const std::string& dir, const MetaLimits& limits, int) {
      return absl::StatusOr<std::unique_ptr<MetaStore>>(
          EmbeddedMetaStore::Open(dir, EmbeddedMetaOptions{limits}));
    }};

INSTANTIATE_TEST_SUITE_P(Embedded, MetaStoreContractTest,
                         ::testing::Values(&kEmbedded), BackendName);

using ::drive::testing::TempDir;

// A store written before revisions existed: plain keys, no revision records.
TEST(EmbeddedMetaStoreTest, KeysFromBeforeRevisionsHaveRevisionOne) {
  TempDir dir;
  {
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, dir.Sub("meta"), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "m/epoch", "7").ok());
  }
  ASSERT_OK_AND_ASSIGN(auto store, EmbeddedMetaStore::Open(dir.Sub("meta")));
  ASSERT_OK_AND_ASSIGN(auto epoch, store->Read("m/epoch"));
  ASSERT_TRUE(epoch.has_value());
  EXPECT_EQ(epoch->value, "7");
  EXPECT_EQ(epoch->revision, 1);
  MetaBatch b;
  b.RequireRevision("m/epoch", 1);
  b.Put("m/epoch", "8");
  ASSERT_OK_AND_ASSIGN(int64_t rev, store->Commit(b));
  EXPECT_EQ(rev, 2);
}

TEST(EmbeddedMetaStoreTest, RevisionSurvivesReopen) {
  TempDir dir;
  int64_t rev = 0;
  {
    ASSERT_OK_AND_ASSIGN(auto store, EmbeddedMetaStore::Open(dir.Sub("meta")));
    MetaBatch b;
    b.Put("a/x", "1");
    ASSERT_OK(store->Write(b));
    ASSERT_OK_AND_ASSIGN(rev, store->Commit(b));
  }
  ASSERT_OK_AND_ASSIGN(auto store, EmbeddedMetaStore::Open(dir.Sub("meta")));
  ASSERT_OK_AND_ASSIGN(auto x, store->Read("a/x"));
  ASSERT_TRUE(x.has_value());
  EXPECT_EQ(x->revision, rev);
  MetaBatch b;
  b.Put("a/y", "1");
  ASSERT_OK_AND_ASSIGN(int64_t next, store->Commit(b));
  EXPECT_EQ(next, rev + 1);
}

}  // namespace
}  // namespace drive::coordinator
