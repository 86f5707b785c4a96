// Commits against a store's per-write limits (etcd's --max-txn-ops and
// --max-request-bytes, docs/architecture.md "Limits, handled before
// sending"): an atomic commit beyond them is refused whole, CommitEach
// packs files into writes that fit. Runs on the embedded store with etcd's
// default limits, and on a real etcd in coordinator_etcd_test.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "daemon/coordinator/namespace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fake_env.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_meta_store.h"

namespace drive::coordinator {
namespace {

using ::drive::testing::FakeEnv;
using ::drive::testing::StatusIs;
using ::drive::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kAccount[] = "studio";
// etcd 3.4's defaults, which EtcdMetaOptions and the test etcd use too.
constexpr MetaLimits kEtcdDefaults{128, 1536 * 1024};

// A file of `chunks` distinct 1000-byte chunks: it writes 1 + chunks keys
// (its record and one reference count per chunk).
FileRecord MakeFile(const std::string& path, int chunks = 1) {
  FileRecord f;
  f.path = path;
  f.mtime_ms = 1'700'000'000'000;
  f.content_type = "image/jpeg";
  for (int i = 0; i < chunks; ++i) {
    ChunkRef c;
    c.id = ChunkId::Of(absl::StrCat(path, "#", i));
    c.size = 1000;
    c.replicas = {"w1/d0", "w2/d0", "e1/d0"};
    f.size += c.size;
    f.chunks.push_back(std::move(c));
  }
  f.hash = ChunkId::Of(path);
  f.durability = "geo";
  return f;
}

// `n` one-chunk files "shoot/IMG_<from + i>.jpg": two keys each.
std::vector<FileRecord> Shoot(int n, int from = 0) {
  std::vector<FileRecord> files;
  for (int i = from; i < from + n; ++i) {
    files.push_back(MakeFile(absl::StrCat("shoot/IMG_", i, ".jpg")));
  }
  return files;
}

class NamespaceLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, drive::testing::OpenTestMetaStore(
                                     dir_.Sub("meta"), kEtcdDefaults));
    ns_ = std::make_unique<Namespace>(store_.get(), &env_, NamespaceOptions{});
    ASSERT_OK(ns_->Load());
    ASSERT_OK(ns_->CreateAccount(kAccount, false));
  }

  std::vector<std::string> Paths() {
    auto listing = ns_->List(kAccount, "", "", 10000);
    EXPECT_OK(listing);
    std::vector<std::string> paths;
    if (listing.ok()) {
      for (const auto& f : listing->files) paths.push_back(f.path);
    }
    return paths;
  }

  TempDir dir_;
  FakeEnv env_;
  std::unique_ptr<MetaStore> store_;
  std::unique_ptr<Namespace> ns_;
};

TEST_F(NamespaceLimitsTest, CommitEachOfTwoHundredFilesCommitsEveryFile) {
  std::vector<FileRecord> files = Shoot(200);  // 400 keys
  uint64_t writes = store_->writes();
  std::vector<absl::StatusOr<FileRecord>> results =
      ns_->CommitEach(kAccount, files);
  ASSERT_EQ(results.size(), 200u);
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_OK(results[i]) << i;
    EXPECT_EQ(results[i]->path, files[i].path);
    EXPECT_EQ(results[i]->version, 1u);
  }
  // 64 files (128 keys) per write: four writes, each whole files.
  EXPECT_EQ(store_->writes() - writes, 4u);
  EXPECT_EQ(Paths().size(), 200u);
  EXPECT_EQ(ns_->file_count(), 200u);
  EXPECT_EQ(ns_->logical_bytes(), 200u * 1000);
  for (const FileRecord& f : files) {
    ASSERT_OK_AND_ASSIGN(RefState r, ns_->Refs(kAccount, f.chunks[0].id));
    EXPECT_EQ(r.count, 1u) << f.path;
  }
}

TEST_F(NamespaceLimitsTest, AtomicCommitBeyondTheLimitsChangesNothing) {
  std::vector<FileRecord> files = Shoot(200);
  auto committed = ns_->Commit(kAccount, files, nullptr);
  EXPECT_THAT(committed, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(committed.status().message(),
              HasSubstr("only 64 of these files fit in one atomic commit"));
  EXPECT_THAT(committed.status().message(), HasSubstr("nothing committed"));
  EXPECT_THAT(Paths(), IsEmpty());
  EXPECT_EQ(ns_->file_count(), 0u);
  ASSERT_OK_AND_ASSIGN(RefState r, ns_->Refs(kAccount, files[0].chunks[0].id));
  EXPECT_FALSE(r.known);

  // The count is exact: 64 fit, 65 do not.
  std::vector<FileRecord> fit(files.begin(), files.begin() + 64);
  ASSERT_OK(ns_->Commit(kAccount, fit, nullptr));
  EXPECT_THAT(ns_->Commit(kAccount, Shoot(65, 64), nullptr),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(Paths().size(), 64u);
}

TEST_F(NamespaceLimitsTest, FileTooLargeForOneWriteFailsAloneInCommitEach) {
  // 200 chunks: 201 keys, more than one write takes.
  FileRecord huge = MakeFile("huge.mov", 200);
  auto alone = ns_->Commit(kAccount, {huge}, nullptr);
  EXPECT_THAT(alone, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(alone.status().message(),
              HasSubstr("huge.mov alone is too large"));
  std::vector<absl::StatusOr<FileRecord>> results =
      ns_->CommitEach(kAccount, {MakeFile("a.jpg"), huge, MakeFile("b.jpg")});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_OK(results[0]);
  EXPECT_THAT(results[1], StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_OK(results[2]);
  EXPECT_THAT(Paths(), ElementsAre("a.jpg", "b.jpg"));
  ASSERT_OK_AND_ASSIGN(RefState r, ns_->Refs(kAccount, huge.chunks[0].id));
  EXPECT_FALSE(r.known);

  // The files after it still go in full writes: 64 + 36 files.
  std::vector<FileRecord> files = {huge};
  for (FileRecord& f : Shoot(100)) files.push_back(std::move(f));
  uint64_t writes = store_->writes();
  results = ns_->CommitEach(kAccount, files);
  EXPECT_THAT(results[0], StatusIs(absl::StatusCode::kResourceExhausted));
  for (size_t i = 1; i < results.size(); ++i) EXPECT_OK(results[i]) << i;
  EXPECT_EQ(store_->writes() - writes, 2u);
  EXPECT_EQ(Paths().size(), 102u);
}

TEST_F(NamespaceLimitsTest, CommitEachFailsOnlyTheFilesThatCannotCommit) {
  std::vector<FileRecord> files = Shoot(10);
  // A chunk garbage collection is deleting: that file is refused.
  ASSERT_OK(ns_->Condemn({{kAccount, files[3].chunks[0].id}},
                         absl::ToUnixMillis(env_.Now())));
  files[7].size += 1;         // chunk sizes do not add up
  files.push_back(files[5]);  // the same path twice
  std::vector<absl::StatusOr<FileRecord>> results =
      ns_->CommitEach(kAccount, files);
  ASSERT_EQ(results.size(), 11u);
  for (size_t i = 0; i < results.size(); ++i) {
    if (i == 3) {
      EXPECT_THAT(results[i], StatusIs(absl::StatusCode::kAborted));
    } else if (i == 7 || i == 10) {
      EXPECT_THAT(results[i], StatusIs(absl::StatusCode::kInvalidArgument));
    } else {
      EXPECT_OK(results[i]) << i;
    }
  }
  EXPECT_EQ(Paths().size(), 8u);
  EXPECT_EQ(ns_->file_count(), 8u);
}

// Garbage collection's writes over many items go in parts that fit:
// 150 trash entries, tombstones and reference counts are 150 to 300 keys.
TEST_F(NamespaceLimitsTest, CollectingManyChunksWritesInPartsThatFit) {
  std::vector<FileRecord> files = Shoot(150);
  for (const auto& r : ns_->CommitEach(kAccount, files)) ASSERT_OK(r);
  std::vector<std::pair<std::string, ChunkId>> chunks;
  for (const FileRecord& f : files) {
    ASSERT_OK(ns_->Delete(kAccount, f.path));
    chunks.push_back({kAccount, f.chunks[0].id});
  }
  int64_t later = absl::ToUnixMillis(env_.Now() + absl::Hours(24 * 31));
  ASSERT_OK_AND_ASSIGN(uint64_t expired, ns_->ExpireTrash(later, false));
  EXPECT_EQ(expired, 150u);
  ASSERT_OK_AND_ASSIGN(auto condemned, ns_->Condemn(chunks, later));
  EXPECT_EQ(condemned.size(), 150u);
  ASSERT_OK(ns_->CompleteTombstones(condemned, later));
  ASSERT_OK_AND_ASSIGN(auto tombstones, ns_->ListTombstones());
  ASSERT_EQ(tombstones.size(), 150u);
  for (const auto& t : tombstones) EXPECT_EQ(t.tombstone.completed_ms, later);
  ASSERT_OK_AND_ASSIGN(uint64_t erased, ns_->EraseTombstones(later + 1));
  EXPECT_EQ(erased, 150u);
  ASSERT_OK_AND_ASSIGN(tombstones, ns_->ListTombstones());
  EXPECT_THAT(tombstones, IsEmpty());
  EXPECT_EQ(ns_->oldest_upload_ms(), later + 1);
}

TEST_F(NamespaceLimitsTest, CommitEachForAMissingAccountFailsEveryFile) {
  std::vector<absl::StatusOr<FileRecord>> results =
      ns_->CommitEach("nobody", Shoot(3));
  ASSERT_EQ(results.size(), 3u);
  for (const auto& r : results) {
    EXPECT_THAT(r, StatusIs(absl::StatusCode::kNotFound));
  }
}

}  // namespace
}  // namespace drive::coordinator
