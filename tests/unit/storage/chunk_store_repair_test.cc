// The parts of ChunkStore that scrub, anti-entropy and GC rely on: PG
// digests, index scans over all accounts, quarantine, conditional deletes
// and drive metadata.

#include <set>

#include "common/placement_group.h"
#include "daemon/storage/chunk_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/disk_corruption.h"
#include "tests/support/fake_env.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace drive::storage {
namespace {

using ::drive::testing::CorruptChunkOnDisk;
using ::drive::testing::FakeEnv;
using ::drive::testing::RandomBytes;
using ::drive::testing::StatusIs;
using ::drive::testing::TempDir;

constexpr uint32_t kPgs = 8;

class ChunkStoreRepairTest : public ::testing::Test {
 protected:
  std::unique_ptr<ChunkStore> Open(const std::string& name) {
    ChunkStoreOptions o;
    o.path = dir_.Sub(name);
    o.pg_count = kPgs;
    o.reserve_bytes = 0;
    o.env = &env_;
    auto s = ChunkStore::Open(o);
    EXPECT_OK(s);
    return s.ok() ? std::move(*s) : nullptr;
  }
  static ChunkId Put(ChunkStore& s, const std::string& account,
                     const std::string& bytes) {
    ChunkId id = ChunkId::Of(bytes);
    EXPECT_OK(s.Put(account, id, bytes));
    return id;
  }

  TempDir dir_;
  FakeEnv env_;
};

TEST_F(ChunkStoreRepairTest, DigestsAreEqualForEqualChunkSetsInAnyOrder) {
  auto a = Open("a");
  auto b = Open("b");
  std::vector<std::string> chunks;
  for (int i = 0; i < 40; ++i) chunks.push_back(RandomBytes(100 + i, i));
  for (const auto& c : chunks) Put(*a, "studio", c);
  for (auto it = chunks.rbegin(); it != chunks.rend(); ++it)
    Put(*b, "studio", *it);
  EXPECT_EQ(a->Digests(), b->Digests());
  uint64_t total = 0;
  for (const auto& d : a->Digests()) total += d.chunks;
  EXPECT_EQ(total, 40u);

  // Same bytes under another account are another chunk set.
  ChunkId id = ChunkId::Of(chunks[0]);
  uint32_t pg = PgOf("studio", id, kPgs);
  ASSERT_OK(b->Delete("studio", {id}));
  EXPECT_NE(a->DigestOf(pg), b->DigestOf(pg));
  EXPECT_EQ(b->DigestOf(pg).chunks + 1, a->DigestOf(pg).chunks);
  Put(*b, "studio", chunks[0]);
  EXPECT_EQ(a->DigestOf(pg), b->DigestOf(pg));
}

TEST_F(ChunkStoreRepairTest, DigestsAreRebuiltOnReopen) {
  std::vector<PgDigest> before;
  {
    auto a = Open("a");
    for (int i = 0; i < 30; ++i) Put(*a, i % 2 ? "x" : "y", RandomBytes(50, i));
    before = a->Digests();
  }
  EXPECT_EQ(Open("a")->Digests(), before);
}

TEST_F(ChunkStoreRepairTest, ScanIndexPagesThroughEveryAccountInPgOrder) {
  auto a = Open("a");
  std::set<std::pair<std::string, ChunkId>> written;
  for (int i = 0; i < 50; ++i) {
    std::string account = "acct" + std::to_string(i % 3);
    written.insert({account, Put(*a, account, RandomBytes(64, i))});
  }
  std::set<std::pair<std::string, ChunkId>> seen;
  std::string cursor;
  uint32_t last_pg = 0;
  int pages = 0;
  do {
    ASSERT_OK_AND_ASSIGN(IndexPage page, a->ScanIndex(cursor, std::nullopt, 7));
    for (const auto& c : page.chunks) {
      EXPECT_GE(c.pg, last_pg);
      last_pg = c.pg;
      EXPECT_EQ(c.pg, PgOf(c.account, c.id, kPgs));
      EXPECT_EQ(c.entry.raw_length, 64u);
      seen.insert({c.account, c.id});
    }
    cursor = page.next;
    ++pages;
  } while (!cursor.empty());
  EXPECT_EQ(seen, written);
  EXPECT_GE(pages, 50 / 7);

  // One PG only.
  ASSERT_OK_AND_ASSIGN(IndexPage pg3, a->ScanIndex("", 3u, 1000));
  EXPECT_EQ(pg3.chunks.size(), a->DigestOf(3).chunks);
  for (const auto& c : pg3.chunks) EXPECT_EQ(c.pg, 3u);
  EXPECT_TRUE(pg3.next.empty());
}

TEST_F(ChunkStoreRepairTest, ConditionalDeleteSparesCopiesStoredLater) {
  auto a = Open("a");
  ChunkId old_id = Put(*a, "studio", RandomBytes(80, 1));
  env_.AdvanceSeconds(100);
  ChunkId new_id = Put(*a, "studio", RandomBytes(80, 2));
  int64_t condemned = absl::ToUnixSeconds(env_.Now());
  ASSERT_OK_AND_ASSIGN(uint64_t n,
                       a->Delete("studio", {old_id, new_id}, condemned));
  EXPECT_EQ(n, 1u);
  ASSERT_OK_AND_ASSIGN(auto has, a->Has("studio", {old_id, new_id}));
  EXPECT_THAT(has, ::testing::ElementsAre(false, true));
}

TEST_F(ChunkStoreRepairTest, QuarantineTakesACorruptCopyOutAndKeepsEvidence) {
  std::string bytes = RandomBytes(200 << 10, 9);
  ChunkId id = ChunkId::Of(bytes);
  {
    auto a = Open("a");
    ASSERT_OK(a->Put("studio", id, bytes));
  }
  ASSERT_GT(CorruptChunkOnDisk(dir_.Sub("a"), bytes, 1000), 0);
  auto a = Open("a");
  EXPECT_THAT(a->Get("studio", id), StatusIs(absl::StatusCode::kDataLoss));
  ASSERT_OK_AND_ASSIGN(QuarantineRecord q,
                       a->Quarantine("studio", id, "DATA_LOSS: scrub"));
  EXPECT_EQ(q.id, id);
  EXPECT_FALSE(q.found.empty());
  EXPECT_NE(q.found, id.ToHex());
  EXPECT_THAT(a->Get("studio", id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(a->Usage()->chunks, 0u);
  EXPECT_EQ(a->Usage()->quarantined, 1u);
  EXPECT_EQ(a->DigestOf(PgOf("studio", id, kPgs)).chunks, 0u);

  // A good copy can be stored again; the evidence stays.
  ASSERT_OK(a->Put("studio", id, bytes));
  EXPECT_EQ(std::string(a->Get("studio", id)->bytes()), bytes);
  ASSERT_OK_AND_ASSIGN(auto records, a->ListQuarantine(10));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].account, "studio");
  EXPECT_EQ(records[0].reason, "DATA_LOSS: scrub");
  EXPECT_EQ(records[0].found, q.found);
}

TEST_F(ChunkStoreRepairTest, QuarantineRefusesACopyThatVerifies) {
  auto a = Open("a");
  ChunkId id = Put(*a, "studio", RandomBytes(500, 3));
  EXPECT_THAT(a->Quarantine("studio", id, "suspected"),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_OK(a->Get("studio", id));
  EXPECT_THAT(a->Quarantine("studio", ChunkId::Of("absent"), "x"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ChunkStoreRepairTest, MetaRecordsSurviveReopenAndScanByPrefix) {
  {
    auto a = Open("a");
    ASSERT_OK(a->PutMeta("b/2026-01", "one"));
    ASSERT_OK(a->PutMeta("b/2026-02", "two"));
    ASSERT_OK(a->PutMeta("m/scrub", "{}"));
    EXPECT_THAT(a->PutMeta("c/x", "v"),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
  auto a = Open("a");
  std::vector<std::string> got;
  ASSERT_OK(a->ScanMeta("b/", [&](std::string_view k, std::string_view v) {
    got.push_back(std::string(k) + "=" + std::string(v));
    return true;
  }));
  EXPECT_THAT(got, ::testing::ElementsAre("b/2026-01=one", "b/2026-02=two"));
  ASSERT_OK(a->DeleteMeta("b/2026-01"));
  ASSERT_OK_AND_ASSIGN(auto v, a->GetMeta("b/2026-01"));
  EXPECT_FALSE(v.has_value());
}

}  // namespace
}  // namespace drive::storage
