// The chunk store's durability promises, tested below the kill -9 level:
// a power loss drops every byte that was written but not fsynced
// (FaultInjectionFs), and an fsync can fail. For each durability mode:
// what Put acknowledged survives; what PutUnsynced wrote survives once
// Sync returned OK; a failed fsync is never acknowledged; and nothing
// that survives a crash reads back corrupt.

#include <memory>
#include <string>
#include <vector>

#include "daemon/storage/chunk_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/durability_modes.h"
#include "tests/support/fake_env.h"
#include "tests/support/fault_injection_fs.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace drive::storage {
namespace {

using ::drive::testing::FakeEnv;
using ::drive::testing::FaultInjectionFs;
using ::drive::testing::RandomBytes;
using ::drive::testing::StatusIs;
using ::drive::testing::TempDir;

constexpr char kAccount[] = "studio";

// Sizes on both sides of kAuto's WAL/flush threshold (1 MiB) and of the
// blob threshold (32 KiB).
std::vector<std::string> SomeChunks(uint64_t seed) {
  return {RandomBytes(1000, seed), RandomBytes(64 << 10, seed + 1),
          RandomBytes(2 << 20, seed + 2),
          RandomBytes(kMaxChunkBytes, seed + 3)};
}

class ChunkStoreCrashTest : public ::testing::TestWithParam<DurabilityMode> {
 protected:
  void SetUp() override { Open(); }

  // Opens the drive through a fresh fault-injecting file system.
  void Open() {
    store_.reset();
    fs_ = std::make_unique<FaultInjectionFs>();
    ChunkStoreOptions o;
    o.path = dir_.Sub("drive");
    o.pg_count = 16;
    o.reserve_bytes = 64 << 20;
    o.durability = GetParam();
    o.env = &env_;
    o.rocksdb_env = fs_->env();
    o.write_buffer_size = 32 << 20;
    ASSERT_OK_AND_ASSIGN(store_, ChunkStore::Open(o));
  }

  // Power loss: the store stops reaching the disk, is torn down, and every
  // byte not fsynced disappears; then the drive is opened again.
  void PowerLossAndReopen() {
    fs_->Crash();
    store_.reset();
    ASSERT_OK(fs_->DropUnsyncedData());
    Open();
  }

  // The chunk reads back identical, or is absent; never other bytes.
  // Returns whether it is present.
  bool PresentAndIntact(const std::string& bytes) {
    auto data = store_->Get(kAccount, ChunkId::Of(bytes));
    if (!data.ok()) {
      EXPECT_THAT(data, StatusIs(absl::StatusCode::kNotFound));
      return false;
    }
    EXPECT_EQ(data->bytes().size(), bytes.size());
    EXPECT_TRUE(data->bytes() == bytes)
        << "chunk of " << bytes.size() << " bytes came back different";
    return true;
  }

  TempDir dir_;
  FakeEnv env_;
  std::unique_ptr<FaultInjectionFs> fs_;
  std::unique_ptr<ChunkStore> store_;
};

TEST_P(ChunkStoreCrashTest, AcknowledgedPutsSurvivePowerLoss) {
  std::vector<std::string> chunks = SomeChunks(10);
  for (const auto& c : chunks) {
    ASSERT_OK(store_->Put(kAccount, ChunkId::Of(c), c));
  }
  EXPECT_GT(fs_->syncs(), 0);
  PowerLossAndReopen();
  for (const auto& c : chunks) {
    EXPECT_TRUE(PresentAndIntact(c)) << c.size() << "-byte chunk lost";
  }
  EXPECT_EQ(store_->Usage()->chunks, chunks.size());
}

// Shows that the power-loss model bites: without Sync nothing was
// promised, and unsynced writes are really gone (so the test above would
// fail if Put acknowledged before its fsync).
TEST_P(ChunkStoreCrashTest, UnsyncedPutsAreLostAtPowerLossWithoutCorruption) {
  std::vector<std::string> chunks = SomeChunks(20);
  for (const auto& c : chunks) {
    ASSERT_OK(store_->PutUnsynced(kAccount, ChunkId::Of(c), c));
  }
  PowerLossAndReopen();
  int present = 0;
  for (const auto& c : chunks) present += PresentAndIntact(c);
  EXPECT_EQ(present, 0);
  EXPECT_EQ(store_->Usage()->chunks, 0u);
}

TEST_P(ChunkStoreCrashTest, UnsyncedPutsSurvivePowerLossOnceSyncReturned) {
  std::vector<std::string> chunks = SomeChunks(30);
  for (const auto& c : chunks) {
    ASSERT_OK(store_->PutUnsynced(kAccount, ChunkId::Of(c), c));
  }
  ASSERT_OK(store_->Sync());
  PowerLossAndReopen();
  for (const auto& c : chunks) {
    EXPECT_TRUE(PresentAndIntact(c)) << c.size() << "-byte chunk lost";
  }
}

TEST_P(ChunkStoreCrashTest, FailedFsyncIsNeverAcknowledged) {
  std::string before = RandomBytes(2 << 20, 40);
  ASSERT_OK(store_->Put(kAccount, ChunkId::Of(before), before));
  std::string chunk = RandomBytes(2 << 20, 41);
  fs_->FailNthSync(1);
  EXPECT_THAT(store_->Put(kAccount, ChunkId::Of(chunk), chunk),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(fs_->failed_syncs(), 1);
  PowerLossAndReopen();
  EXPECT_TRUE(PresentAndIntact(before));
  PresentAndIntact(chunk);  // may or may not be there; never corrupt
  // The drive works again after the restart.
  std::string after = RandomBytes(1000, 42);
  ASSERT_OK(store_->Put(kAccount, ChunkId::Of(after), after));
  EXPECT_TRUE(PresentAndIntact(after));
}

TEST_P(ChunkStoreCrashTest, FailedFsyncMakesSyncFailSoNothingIsReportedStored) {
  std::vector<std::string> chunks = SomeChunks(50);
  for (const auto& c : chunks) {
    ASSERT_OK(store_->PutUnsynced(kAccount, ChunkId::Of(c), c));
  }
  fs_->FailNthSync(1);
  EXPECT_THAT(store_->Sync(), StatusIs(absl::StatusCode::kUnavailable));
  PowerLossAndReopen();
  for (const auto& c : chunks) PresentAndIntact(c);
}

TEST_P(ChunkStoreCrashTest, AcknowledgedDeleteSurvivesPowerLoss) {
  std::string chunk = RandomBytes(64 << 10, 60);
  ChunkId id = ChunkId::Of(chunk);
  ASSERT_OK(store_->Put(kAccount, id, chunk));
  ASSERT_OK_AND_ASSIGN(uint64_t deleted, store_->Delete(kAccount, {id}));
  EXPECT_EQ(deleted, 1u);
  PowerLossAndReopen();
  EXPECT_FALSE(PresentAndIntact(chunk));
}

INSTANTIATE_TEST_SUITE_P(Durability, ChunkStoreCrashTest,
                         testing::AllDurabilityModes(),
                         testing::DurabilityModeName);

}  // namespace
}  // namespace drive::storage
