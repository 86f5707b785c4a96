#include "daemon/storage/chunk_store.h"

#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "common/placement_group.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/durability_modes.h"
#include "tests/support/fake_env.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace drive::storage {
namespace {

using ::drive::testing::FakeEnv;
using ::drive::testing::RandomBytes;
using ::drive::testing::StatusIs;
using ::drive::testing::TempDir;

class ChunkStoreTest : public ::testing::TestWithParam<DurabilityMode> {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen(uint32_t pg_count = 16) {
    store_.reset();
    ChunkStoreOptions o;
    o.path = dir_.Sub("drive");
    o.pg_count = pg_count;
    o.reserve_bytes = 64 << 20;
    o.durability = GetParam();
    o.env = &env_;
    o.write_buffer_size = 8 << 20;
    auto s = ChunkStore::Open(o);
    ASSERT_OK(s);
    store_ = std::move(*s);
  }

  ChunkId WriteChunk(const std::string& account, const std::string& bytes) {
    ChunkId id = ChunkId::Of(bytes);
    EXPECT_OK(store_->Put(account, id, bytes));
    return id;
  }

  std::string ReadChunk(const std::string& account, const ChunkId& id,
                        uint64_t offset = 0, uint64_t length = 0) {
    auto data = store_->Get(account, id, offset, length);
    EXPECT_OK(data);
    return data.ok() ? std::string(data->bytes()) : "";
  }

  TempDir dir_;
  FakeEnv env_;
  std::unique_ptr<ChunkStore> store_;
};

TEST_P(ChunkStoreTest, PutThenGetReturnsTheSameBytes) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{1000}, size_t{40000},
                      size_t{1} << 20, kMaxChunkBytes}) {
    std::string bytes = RandomBytes(size, size);
    ChunkId id = WriteChunk("studio", bytes);
    EXPECT_EQ(ReadChunk("studio", id), bytes) << size;
  }
}

TEST_P(ChunkStoreTest, PutRejectsBytesThatDoNotMatchTheIdAndStoresNothing) {
  std::string bytes = RandomBytes(5000, 1);
  ChunkId wrong = ChunkId::Of("something else");
  EXPECT_THAT(store_->Put("studio", wrong, bytes),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(store_->Get("studio", wrong),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(store_->Usage()->chunks, 0u);
}

TEST_P(ChunkStoreTest, OversizeChunkIsInvalidArgument) {
  std::string bytes(kMaxChunkBytes + 1, 'x');
  EXPECT_THAT(store_->Put("studio", ChunkId::Of(bytes), bytes),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_P(ChunkStoreTest, BadAccountNameIsInvalidArgument) {
  std::string bytes = "x";
  EXPECT_THAT(store_->Put("../etc", ChunkId::Of(bytes), bytes),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_P(ChunkStoreTest, PutIsIdempotentAndCountsOnce) {
  std::string bytes = RandomBytes(100000, 2);
  ChunkId id = ChunkId::Of(bytes);
  ASSERT_OK_AND_ASSIGN(PutResult first, store_->Put("studio", id, bytes));
  ASSERT_OK_AND_ASSIGN(PutResult second, store_->Put("studio", id, bytes));
  EXPECT_FALSE(first.already_present);
  EXPECT_TRUE(second.already_present);
  ASSERT_OK_AND_ASSIGN(DriveUsage u, store_->Usage());
  EXPECT_EQ(u.chunks, 1u);
  EXPECT_EQ(u.logical_bytes, 100000u);
}

TEST_P(ChunkStoreTest, ChunksAreSeparatedByAccount) {
  ChunkId id = WriteChunk("studio-a", "shared bytes");
  EXPECT_THAT(store_->Get("studio-b", id),
              StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(auto has, store_->Has("studio-b", {id}));
  EXPECT_FALSE(has[0]);
}

TEST_P(ChunkStoreTest, RangeReadsAtChunkEdges) {
  std::string bytes = RandomBytes(kMaxChunkBytes, 9);
  ChunkId id = WriteChunk("studio", bytes);
  EXPECT_EQ(ReadChunk("studio", id, 0, 1), bytes.substr(0, 1));
  EXPECT_EQ(ReadChunk("studio", id, kMaxChunkBytes - 1, 0),
            bytes.substr(kMaxChunkBytes - 1));
  EXPECT_EQ(ReadChunk("studio", id, kMaxChunkBytes - 1, 100),
            bytes.substr(kMaxChunkBytes - 1));
  EXPECT_EQ(ReadChunk("studio", id, kMaxChunkBytes, 0), "");
  EXPECT_EQ(ReadChunk("studio", id, 1 << 20, 1 << 20),
            bytes.substr(1 << 20, 1 << 20));
  EXPECT_THAT(store_->Get("studio", id, kMaxChunkBytes + 1, 1),
              StatusIs(absl::StatusCode::kInvalidArgument));
  auto whole = store_->Get("studio", id, 10, 10);
  ASSERT_OK(whole);
  EXPECT_EQ(whole->chunk_length(), kMaxChunkBytes);
}

TEST_P(ChunkStoreTest, CompressibleChunkRoundTripsAndStoresFewerBytes) {
  std::string text;
  while (text.size() < (1 << 20))
    text += "caption: bride and groom, golden hour. ";
  ChunkId id = WriteChunk("studio", text);
  EXPECT_EQ(ReadChunk("studio", id, 5, 50), text.substr(5, 50));
  ASSERT_OK_AND_ASSIGN(DriveUsage u, store_->Usage());
  EXPECT_LT(u.stored_bytes, u.logical_bytes / 4);
}

TEST_P(ChunkStoreTest, WritesAreRefusedBelowTheDiskReserve) {
  env_.SetFreeBytes((64 << 20) + 1000);  // reserve is 64 MiB
  std::string bytes = RandomBytes(5000, 3);
  EXPECT_THAT(store_->Put("studio", ChunkId::Of(bytes), bytes),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(store_->Usage()->chunks, 0u);
  // Reads and small enough writes still work.
  std::string small = "tiny";
  EXPECT_OK(store_->Put("studio", ChunkId::Of(small), small));
}

TEST_P(ChunkStoreTest, HasAnswersForEveryIdInTheBatch) {
  ChunkId a = WriteChunk("studio", "a");
  ChunkId b = ChunkId::Of("never stored");
  ChunkId c = WriteChunk("studio", "c");
  ASSERT_OK_AND_ASSIGN(auto has, store_->Has("studio", {a, b, c}));
  EXPECT_THAT(has, ::testing::ElementsAre(true, false, true));
}

TEST_P(ChunkStoreTest, DeleteRemovesChunksAndUpdatesUsage) {
  ChunkId a = WriteChunk("studio", RandomBytes(70000, 4));
  ChunkId b = WriteChunk("studio", "b");
  ASSERT_OK_AND_ASSIGN(uint64_t deleted,
                       store_->Delete("studio", {a, ChunkId::Of("absent")}));
  EXPECT_EQ(deleted, 1u);
  EXPECT_THAT(store_->Get("studio", a), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(ReadChunk("studio", b), "b");
  EXPECT_EQ(store_->Usage()->chunks, 1u);
  EXPECT_EQ(store_->Usage()->logical_bytes, 1u);
}

TEST_P(ChunkStoreTest, ListPagesThroughOnePgOfOneAccountInIdOrder) {
  // pg_count 16: 200 chunks put ~12 in each PG.
  std::map<uint32_t, std::vector<ChunkId>> by_pg;
  for (int i = 0; i < 200; ++i) {
    ChunkId id = WriteChunk("studio", "chunk " + std::to_string(i));
    by_pg[PgOf("studio", id, 16)].push_back(id);
    WriteChunk("other", "chunk " + std::to_string(i));  // must not show up
  }
  auto& [pg, expected] = *by_pg.begin();
  std::sort(expected.begin(), expected.end());
  std::vector<ChunkId> seen;
  const ChunkId* after = nullptr;
  ChunkId cursor;
  int pages = 0;
  while (true) {
    ASSERT_OK_AND_ASSIGN(ChunkListing page,
                         store_->List("studio", pg, after, 5));
    ++pages;
    for (const auto& e : page.chunks) seen.push_back(e.id);
    if (!page.more) break;
    cursor = page.chunks.back().id;
    after = &cursor;
  }
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(pages, static_cast<int>((expected.size() + 4) / 5));
  EXPECT_THAT(store_->List("studio", 16, nullptr, 5),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_P(ChunkStoreTest, ChunksAndUsageSurviveReopen) {
  std::string bytes = RandomBytes(300000, 5);
  ChunkId id = WriteChunk("studio", bytes);
  Reopen();
  EXPECT_EQ(ReadChunk("studio", id), bytes);
  EXPECT_EQ(store_->Usage()->chunks, 1u);
  EXPECT_EQ(store_->Usage()->logical_bytes, 300000u);
}

TEST_P(ChunkStoreTest, ReopenWithAnotherPgCountIsRefused) {
  WriteChunk("studio", "x");
  store_.reset();
  ChunkStoreOptions o;
  o.path = dir_.Sub("drive");
  o.pg_count = 32;
  o.env = &env_;
  EXPECT_THAT(ChunkStore::Open(o),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_P(ChunkStoreTest, ConcurrentPutsOfManyChunksAllReadBack) {
  std::vector<std::thread> threads;
  std::vector<std::vector<ChunkId>> ids(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string bytes = RandomBytes(50000 + i, t * 100 + i);
        ChunkId id = ChunkId::Of(bytes);
        if (store_->Put("studio", id, bytes).ok()) ids[t].push_back(id);
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int t = 0; t < 8; ++t) {
    ASSERT_EQ(ids[t].size(), 10u);
    for (int i = 0; i < 10; ++i) {
      EXPECT_EQ(ReadChunk("studio", ids[t][i]),
                RandomBytes(50000 + i, t * 100 + i));
    }
  }
  EXPECT_EQ(store_->Usage()->chunks, 80u);
}

INSTANTIATE_TEST_SUITE_P(Durability, ChunkStoreTest,
                         testing::AllDurabilityModes(),
                         testing::DurabilityModeName);

// PutUnsynced promises durability only at Sync: a child process puts and
// syncs, then dies without closing the store (no final flush), and every
// chunk must be there when the parent reopens the drive. (Without the Sync
// the 4 MiB chunk, written without a WAL, is lost this way.)
TEST(ChunkStoreSyncTest, UnsyncedPutsAreDurableOnceSyncReturns) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // The threadsafe style re-runs this test from the top in the child; it
  // finds the parent's directory in the environment.
  constexpr char kDirVar[] = "DRIVE_SYNC_TEST_DIR";
  std::optional<TempDir> dir;
  std::string path;
  if (const char* inherited = std::getenv(kDirVar)) {
    path = inherited;
  } else {
    dir.emplace();
    path = dir->Sub("drive");
    ASSERT_EQ(setenv(kDirVar, path.c_str(), 1), 0);
  }
  const std::vector<std::string> chunks = {RandomBytes(kMaxChunkBytes, 1),
                                           RandomBytes(1000, 2),
                                           RandomBytes(kMaxChunkBytes, 3)};
  auto open = [&path] {
    ChunkStoreOptions o;
    o.path = path;
    o.pg_count = 16;
    o.reserve_bytes = 64 << 20;
    return ChunkStore::Open(o);
  };
  EXPECT_EXIT(
      {
        auto store = open();
        if (!store.ok()) _exit(2);
        for (const auto& c : chunks) {
          if (!(*store)->PutUnsynced("studio", ChunkId::Of(c), c).ok()) {
            _exit(3);
          }
        }
        _exit((*store)->Sync().ok() ? 0 : 4);
      },
      ::testing::ExitedWithCode(0), "");
  unsetenv(kDirVar);
  ASSERT_OK_AND_ASSIGN(auto store, open());
  for (const auto& c : chunks) {
    ASSERT_OK_AND_ASSIGN(auto data, store->Get("studio", ChunkId::Of(c)));
    EXPECT_EQ(std::string(data.bytes()), c);
  }
  EXPECT_EQ(store->Usage()->chunks, 3u);
}

TEST(ChunkStoreSyncTest, PutUnsyncedStillRejectsBytesThatDoNotMatchTheId) {
  TempDir dir;
  ChunkStoreOptions o;
  o.path = dir.Sub("drive");
  o.reserve_bytes = 64 << 20;
  ASSERT_OK_AND_ASSIGN(auto store, ChunkStore::Open(o));
  ChunkId id = ChunkId::Of("the right bytes");
  EXPECT_THAT(store->PutUnsynced("studio", id, "other bytes"),
              StatusIs(absl::StatusCode::kDataLoss));
  ASSERT_OK(store->Sync());
  EXPECT_THAT(store->Get("studio", id), StatusIs(absl::StatusCode::kNotFound));
}

// Corruption on disk: flip bytes inside the blob file and the read must
// fail with kDataLoss, never return other bytes.
TEST(ChunkStoreCorruptionTest, FlippedBlobBytesAreDataLossAndCounted) {
  TempDir dir;
  FakeEnv env;
  ChunkStoreOptions o;
  o.path = dir.Sub("drive");
  o.env = &env;
  o.reserve_bytes = 0;
  std::string bytes = RandomBytes(1 << 20, 77);
  ChunkId id = ChunkId::Of(bytes);
  {
    auto store = ChunkStore::Open(o);
    ASSERT_OK(store);
    ASSERT_OK((*store)->Put("studio", id, bytes));
  }
  int flipped = 0;
  for (const auto& f : std::filesystem::directory_iterator(o.path)) {
    if (f.path().extension() != ".blob") continue;
    std::fstream io(f.path(), std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(static_cast<std::streamoff>(f.file_size() / 2));
    io.put('\x5a');
    io.put('\xa5');
    ++flipped;
  }
  ASSERT_GT(flipped, 0) << "expected a blob file";
  auto store = ChunkStore::Open(o);
  ASSERT_OK(store);
  EXPECT_THAT((*store)->Get("studio", id),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT((*store)->Get("studio", id, 0, 10),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_EQ((*store)->Usage()->checksum_failures, 2u);
}

}  // namespace
}  // namespace drive::storage
