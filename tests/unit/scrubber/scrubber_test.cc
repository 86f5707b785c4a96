#include "daemon/scrubber/scrubber.h"

#include <atomic>
#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/disk_corruption.h"
#include "tests/support/fake_env.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace drive::scrubber {
namespace {

using ::drive::testing::CorruptChunkOnDisk;
using ::drive::testing::FakeEnv;
using ::drive::testing::RandomBytes;
using ::drive::testing::StatusIs;
using ::drive::testing::TempDir;

// A repair source that knows some chunks (the "other PG members").
// Thread-safe like the real one: a pass verifies two copies at a time.
class FakeSource : public ChunkRepairSource {
 public:
  absl::StatusOr<std::string> FetchGoodCopy(std::string_view,
                                            const ChunkId& id) override {
    ++fetches;
    auto it = good.find(id);
    if (it == good.end()) return absl::UnavailableError("no peer has it");
    return it->second;
  }
  std::map<ChunkId, std::string> good;  // not changed during a pass
  std::atomic<int> fetches{0};
};

class ScrubberTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    scrubber_.reset();
    store_.reset();
    storage::ChunkStoreOptions o;
    o.path = dir_.Sub("d0");
    o.pg_count = 16;
    o.reserve_bytes = 0;
    o.env = &env_;
    auto s = storage::ChunkStore::Open(o);
    ASSERT_OK(s);
    store_ = std::move(*s);
    ScrubOptions so;
    so.deadline = absl::Hours(24);
    scrubber_ = std::make_unique<DriveScrubber>("d0", store_.get(), &source_,
                                                &env_, so);
    ASSERT_OK(scrubber_->Load());
  }
  // Writes n chunks of `size` bytes and closes the store so they are on disk.
  std::vector<std::string> WriteChunks(int n, size_t size) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
      out.push_back(RandomBytes(size, 100 + i));
      EXPECT_OK(store_->Put("studio", ChunkId::Of(out.back()), out.back()));
      source_.good[ChunkId::Of(out.back())] = out.back();
    }
    Reopen();
    return out;
  }

  TempDir dir_;
  FakeEnv env_;
  FakeSource source_;
  std::unique_ptr<storage::ChunkStore> store_;
  std::unique_ptr<DriveScrubber> scrubber_;
};

TEST_F(ScrubberTest, CleanPassVerifiesEveryChunkAndAdvancesVerificationAge) {
  auto chunks = WriteChunks(20, 50 << 10);
  int64_t created = scrubber_->Progress().oldest_verified_unix_s;
  env_.AdvanceSeconds(3600);
  int64_t pass_start = absl::ToUnixSeconds(env_.Now());
  ASSERT_OK_AND_ASSIGN(ScrubResult r, scrubber_->RunPass());
  EXPECT_EQ(r.verified_chunks, 20u);
  EXPECT_EQ(r.verified_bytes, 20u * (50 << 10));
  EXPECT_EQ(r.corrupt_found, 0u);
  EXPECT_TRUE(r.pass_completed);
  ScrubProgress p = scrubber_->Progress();
  EXPECT_EQ(p.passes, 1u);
  EXPECT_GT(p.oldest_verified_unix_s, created);
  EXPECT_EQ(p.oldest_verified_unix_s, pass_start);
  EXPECT_TRUE(p.on_schedule);
  EXPECT_EQ(source_.fetches, 0);
}

TEST_F(ScrubberTest, FlippedBytesAreQuarantinedAndRepairedFromAPeer) {
  auto chunks = WriteChunks(6, 100 << 10);
  store_.reset();
  scrubber_.reset();
  ASSERT_GT(CorruptChunkOnDisk(dir_.Sub("d0"), chunks[2], 5000), 0);
  Reopen();
  ASSERT_OK_AND_ASSIGN(ScrubResult r, scrubber_->RunPass());
  EXPECT_EQ(r.corrupt_found, 1u);
  EXPECT_EQ(r.repaired, 1u);
  EXPECT_EQ(source_.fetches, 1);
  // The drive serves the right bytes again, and the evidence is kept.
  ChunkId id = ChunkId::Of(chunks[2]);
  ASSERT_OK_AND_ASSIGN(auto data, store_->Get("studio", id));
  EXPECT_EQ(std::string(data.bytes()), chunks[2]);
  ASSERT_OK_AND_ASSIGN(auto q, store_->ListQuarantine(10));
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].id, id);
  EXPECT_THAT(q[0].reason, ::testing::HasSubstr("DATA_LOSS"));
  ScrubProgress p = scrubber_->Progress();
  EXPECT_EQ(p.corrupt_found, 1u);
  EXPECT_EQ(p.repaired, 1u);
  EXPECT_EQ(p.quarantined, 1u);
  // A second pass finds nothing.
  ASSERT_OK_AND_ASSIGN(ScrubResult again, scrubber_->RunPass());
  EXPECT_EQ(again.corrupt_found, 0u);
  EXPECT_EQ(again.verified_chunks, 6u);
}

TEST_F(ScrubberTest, CopiesVerifiedTwoAtATimeAreAllCountedAndRepaired) {
  // Every copy bad: both copies of each pair a step verifies at once are
  // quarantined and repaired, whichever thread verifies them.
  auto chunks = WriteChunks(9, 100 << 10);
  store_.reset();
  scrubber_.reset();
  for (const auto& c : chunks)
    ASSERT_GT(CorruptChunkOnDisk(dir_.Sub("d0"), c, 700), 0);
  Reopen();
  ASSERT_OK_AND_ASSIGN(ScrubResult r, scrubber_->RunPass());
  EXPECT_EQ(r.corrupt_found, 9u);
  EXPECT_EQ(r.repaired, 9u);
  EXPECT_EQ(source_.fetches, 9);
  ASSERT_OK_AND_ASSIGN(auto q, store_->ListQuarantine(100));
  EXPECT_EQ(q.size(), 9u);
  for (const auto& c : chunks) {
    ASSERT_OK_AND_ASSIGN(auto data, store_->Get("studio", ChunkId::Of(c)));
    EXPECT_EQ(std::string(data.bytes()), c);
  }
  ASSERT_OK_AND_ASSIGN(ScrubResult again, scrubber_->RunPass());
  EXPECT_EQ(again.verified_chunks, 9u);
  EXPECT_EQ(again.verified_bytes, 9u * (100 << 10));
  EXPECT_EQ(again.corrupt_found, 0u);
}

TEST_F(ScrubberTest, UnrepairableCopyIsLeftMissingNeverServed) {
  auto chunks = WriteChunks(3, 100 << 10);
  ChunkId id = ChunkId::Of(chunks[1]);
  source_.good.erase(id);
  store_.reset();
  scrubber_.reset();
  ASSERT_GT(CorruptChunkOnDisk(dir_.Sub("d0"), chunks[1], 64), 0);
  Reopen();
  ASSERT_OK_AND_ASSIGN(ScrubResult r, scrubber_->RunPass());
  EXPECT_EQ(r.corrupt_found, 1u);
  EXPECT_EQ(r.repaired, 0u);
  EXPECT_EQ(scrubber_->Progress().repair_failed, 1u);
  EXPECT_THAT(store_->Get("studio", id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(store_->Usage()->chunks, 2u);
}

TEST_F(ScrubberTest, StepsResumeFromThePersistedCursorAfterRestart) {
  WriteChunks(10, 1 << 20);
  ASSERT_OK_AND_ASSIGN(ScrubResult first, scrubber_->Step(3 << 20));
  EXPECT_FALSE(first.pass_completed);
  EXPECT_GE(first.verified_chunks, 3u);
  Reopen();  // a restart: state comes back from the drive
  uint64_t total = first.verified_chunks;
  bool done = false;
  while (!done) {
    ASSERT_OK_AND_ASSIGN(ScrubResult r, scrubber_->Step(3 << 20));
    total += r.verified_chunks;
    done = r.pass_completed;
  }
  EXPECT_EQ(total, 10u);
  EXPECT_EQ(scrubber_->Progress().passes, 1u);
}

TEST_F(ScrubberTest, FallingBehindTheDeadlineIsOffSchedule) {
  WriteChunks(2, 1000);
  EXPECT_TRUE(scrubber_->Progress().on_schedule);
  env_.AdvanceSeconds(25 * 3600);  // deadline is 24 h, no pass ran
  EXPECT_FALSE(scrubber_->Progress().on_schedule);
  ASSERT_OK(scrubber_->RunPass());
  EXPECT_TRUE(scrubber_->Progress().on_schedule);
}

TEST_F(ScrubberTest, NextPassIsDueHalfADeadlineAfterTheLastOneStarted) {
  // Deadline 24 h. Never scrubbed: due at once.
  WriteChunks(3, 1000);
  EXPECT_LE(scrubber_->NextPassDue(), env_.Now());
  int64_t first_start = absl::ToUnixSeconds(env_.Now());
  ASSERT_OK_AND_ASSIGN(ScrubResult r, scrubber_->Step(1000));
  EXPECT_FALSE(r.pass_completed);
  // Mid-pass: the background goes on.
  EXPECT_LE(scrubber_->NextPassDue(), env_.Now());
  env_.AdvanceSeconds(60);
  ASSERT_OK_AND_ASSIGN(r, scrubber_->Step(1 << 20));
  ASSERT_TRUE(r.pass_completed);
  EXPECT_EQ(scrubber_->NextPassDue(),
            absl::FromUnixSeconds(first_start) + absl::Hours(12));
  // A step long after that starts the next pass at its own time, and the
  // verification age counts from there once it completes.
  env_.AdvanceSeconds(13 * 3600);
  int64_t second_start = absl::ToUnixSeconds(env_.Now());
  ASSERT_OK_AND_ASSIGN(r, scrubber_->Step(1 << 20));
  ASSERT_TRUE(r.pass_completed);
  EXPECT_EQ(scrubber_->Progress().oldest_verified_unix_s, second_start);
  EXPECT_EQ(scrubber_->NextPassDue(),
            absl::FromUnixSeconds(second_start) + absl::Hours(12));
}

TEST_F(ScrubberTest, PaceSpreadsAPassOverHalfTheDeadlineWithinLimits) {
  // Tiny drive: the minimum pace.
  EXPECT_DOUBLE_EQ(scrubber_->Pace(), ScrubOptions().min_rate_bytes);
  WriteChunks(1, 100);
  EXPECT_DOUBLE_EQ(scrubber_->Pace(), ScrubOptions().min_rate_bytes);
}

}  // namespace
}  // namespace drive::scrubber
