// The client's replication rules against a fake transport: quorum with
// dropped, failing and slow drives; failover reads past corrupt copies.

#include "client/lib/internal/replication.h"

#include <map>
#include <set>

#include "absl/synchronization/mutex.h"
#include "common/grpc/placement_map_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace drive::client::internal {
namespace {

using ::drive::testing::RandomBytes;
using ::drive::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Six drives, three per region, all in the one PG of a one-PG map.
drive::v1::PlacementMapInfo SixDriveMap() {
  drive::v1::PlacementMapInfo info;
  info.set_epoch(1);
  info.set_pg_count(1);
  info.set_replicas_per_region(3);
  info.add_regions("west");
  info.add_regions("east");
  auto* pg = info.add_pgs();
  int i = 0;
  for (const char* node : {"w1", "w2", "w3", "e1", "e2", "e3"}) {
    auto* d = info.add_drives();
    d->set_id(std::string(node) + "/d0");
    d->set_node(node);
    d->set_address(std::string(node) + ":1");
    d->set_name("d0");
    d->set_region(node[0] == 'w' ? "west" : "east");
    d->set_state("up");
    pg->add_drives(i++);
  }
  return info;
}

// In-memory drives. A drive can be down (every call UNAVAILABLE), slow
// (writes time out), refuse writes, or hand out corrupt bytes.
class FakeTransport : public ChunkTransport {
 public:
  std::map<std::string, absl::Status> Write(
      const ChunkId& id, std::string_view data,
      const std::vector<const DriveInfo*>& targets,
      const std::string& writer_region) override {
    absl::MutexLock lock(&mu_);
    ++writes_;
    std::map<std::string, absl::Status> out;
    // The head is the first target in the writer's region: if it is
    // unreachable, no copy of this pass lands.
    const DriveInfo* head = targets.front();
    for (const DriveInfo* d : targets) {
      if (d->region == writer_region) {
        head = d;
        break;
      }
    }
    auto down = [&](const std::string& drive) {
      return down_.count(drive) > 0 || dies_on_write_.count(drive) > 0;
    };
    bool head_down = down(head->id);
    for (const DriveInfo* d : targets) {
      if (down(d->id)) {
        out[d->id] = absl::UnavailableError(d->id + " is down");
      } else if (head_down) {
        out[d->id] = absl::AbortedError("not written: head is down");
      } else if (slow_.count(d->id)) {
        out[d->id] = absl::DeadlineExceededError(d->id + " timed out");
      } else if (full_.count(d->id)) {
        out[d->id] = absl::ResourceExhaustedError(d->id + " is full");
      } else {
        stored_[d->id][id] = std::string(data);
        out[d->id] = absl::OkStatus();
      }
      bytes_sent_to_[d->id] += data.size();
    }
    return out;
  }
  absl::StatusOr<std::string> Read(const DriveInfo& d,
                                   const ChunkId& id) override {
    absl::MutexLock lock(&mu_);
    reads_.push_back(d.id);
    if (down_.count(d.id)) return absl::UnavailableError(d.id + " is down");
    auto it = stored_[d.id].find(id);
    if (it == stored_[d.id].end()) return absl::NotFoundError("no such chunk");
    std::string bytes = it->second;
    if (corrupt_.count(d.id)) bytes[bytes.size() / 2] ^= 1;
    return bytes;
  }
  absl::StatusOr<std::vector<bool>> Has(
      const DriveInfo& d, const std::vector<ChunkId>& ids) override {
    absl::MutexLock lock(&mu_);
    ++has_calls_;
    if (down_.count(d.id)) return absl::UnavailableError(d.id + " is down");
    std::vector<bool> out;
    for (const auto& id : ids) out.push_back(stored_[d.id].count(id) > 0);
    return out;
  }

  absl::Mutex mu_;
  std::set<std::string> down_, slow_, full_, corrupt_;
  std::set<std::string> dies_on_write_;  // answers Has, then fails writes
  std::map<std::string, std::map<ChunkId, std::string>> stored_;
  std::map<std::string, uint64_t> bytes_sent_to_;
  std::vector<std::string> reads_;
  int writes_ = 0;
  int has_calls_ = 0;
};

class ReplicationTest : public ::testing::Test {
 protected:
  ReplicationTest() : map_(PlacementMapFromProto(SixDriveMap())) {}

  std::vector<PendingChunk> Batch(int n) {
    std::vector<PendingChunk> batch(n);
    for (int i = 0; i < n; ++i) {
      batch[i].data = RandomBytes(1000 + i, i + 1);
      batch[i].id = ChunkId::Of(batch[i].data);
      batch[i].placed = map_.PgDrives(0);
    }
    return batch;
  }

  absl::Status Replicate(std::vector<PendingChunk>& batch) {
    return ReplicateBatch(batch, fake_, QuorumPolicy{"west", 2, 1}, map_);
  }

  absl::StatusOr<std::string> Fetch(const PendingChunk& c,
                                    const std::string& region) {
    std::vector<std::string> recorded(c.holders.begin(), c.holders.end());
    auto candidates = ReadCandidates(recorded, map_.PgDrives(0), map_, region);
    return FetchVerified(
        c.id, candidates, c.holders, fake_,
        [&](const std::string& d, const absl::Status&) { bad_.push_back(d); });
  }

  PlacementMap map_;
  FakeTransport fake_;
  std::vector<std::string> bad_;
};

TEST_F(ReplicationTest, AllDrivesUpGivesSixCopiesInOnePass) {
  auto batch = Batch(3);
  ASSERT_OK(Replicate(batch));
  for (const auto& c : batch) {
    EXPECT_EQ(c.holders.size(), 6u);
    EXPECT_EQ(c.writes, 1);
  }
}

TEST_F(ReplicationTest, WriteSucceedsWithOneDriveDownAndRecordsFiveCopies) {
  fake_.down_ = {"w2/d0"};
  auto batch = Batch(1);
  ASSERT_OK(Replicate(batch));
  EXPECT_EQ(batch[0].holders.size(), 5u);
  EXPECT_EQ(batch[0].holders.count("w2/d0"), 0u);
}

TEST_F(ReplicationTest, DeadHeadIsRetriedWithTheNextDriveOfTheRegion) {
  fake_.dies_on_write_ = {"w1/d0"};  // the head of the first pass
  auto batch = Batch(1);
  ASSERT_OK(Replicate(batch));
  EXPECT_EQ(batch[0].holders.size(), 5u);
  EXPECT_EQ(batch[0].writes, 2);
}

TEST_F(ReplicationTest, WriteFailsWhenTheOtherRegionIsUnavailable) {
  fake_.down_ = {"e1/d0", "e2/d0", "e3/d0"};
  auto batch = Batch(1);
  absl::Status s = Replicate(batch);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(s.message(), HasSubstr("0 in the other region"));
}

TEST_F(ReplicationTest, WriteFailsWithOnlyOneCopyInTheWritersRegion) {
  fake_.slow_ = {"w2/d0"};  // delayed past its deadline
  fake_.full_ = {"w3/d0"};  // refuses: below its reserve
  auto batch = Batch(1);
  absl::Status s = Replicate(batch);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(s.message(), HasSubstr("1 copies in west (need 2)"));
}

TEST_F(ReplicationTest, CopiesThatExistAreNotSentAgain) {
  auto batch = Batch(2);
  ASSERT_OK(Replicate(batch));
  fake_.bytes_sent_to_.clear();
  int writes_before = fake_.writes_;
  auto again = Batch(2);
  ASSERT_OK(Replicate(again));
  EXPECT_EQ(fake_.writes_, writes_before);
  EXPECT_TRUE(fake_.bytes_sent_to_.empty());
  EXPECT_EQ(again[0].writes, 0);
  EXPECT_EQ(again[0].holders.size(), 6u);
}

TEST_F(ReplicationTest, ExistenceIsAskedOncePerDriveForAWholeBatch) {
  auto batch = Batch(4);
  ASSERT_OK(Replicate(batch));
  EXPECT_EQ(fake_.has_calls_, 6);
}

TEST_F(ReplicationTest, OnlyTheMissingCopiesAreWritten) {
  auto batch = Batch(1);
  fake_.down_ = {"e3/d0"};
  ASSERT_OK(Replicate(batch));
  fake_.down_.clear();
  fake_.bytes_sent_to_.clear();
  auto again = Batch(1);
  ASSERT_OK(Replicate(again));
  EXPECT_EQ(again[0].holders.size(), 6u);
  EXPECT_EQ(fake_.bytes_sent_to_.size(), 1u);
  EXPECT_EQ(fake_.bytes_sent_to_.count("e3/d0"), 1u);
}

TEST_F(ReplicationTest, ReadPrefersUpDrivesOfTheReadersRegion) {
  auto batch = Batch(1);
  ASSERT_OK(Replicate(batch));
  ASSERT_OK(Fetch(batch[0], "east"));
  EXPECT_THAT(fake_.reads_, ElementsAre("e1/d0"));
}

TEST_F(ReplicationTest,
       ReadFallsBackToTheNextReplicaOnHashMismatchAndReportsIt) {
  auto batch = Batch(1);
  ASSERT_OK(Replicate(batch));
  fake_.corrupt_ = {"w1/d0"};
  fake_.down_ = {"w2/d0"};
  ASSERT_OK_AND_ASSIGN(std::string bytes, Fetch(batch[0], "west"));
  EXPECT_EQ(bytes, batch[0].data);
  EXPECT_THAT(fake_.reads_, ElementsAre("w1/d0", "w2/d0", "w3/d0"));
  EXPECT_THAT(bad_, ElementsAre("w1/d0"));  // down is not bad
}

TEST_F(ReplicationTest, ReadOfOnlyCorruptCopiesIsDataLossNeverWrongBytes) {
  auto batch = Batch(1);
  ASSERT_OK(Replicate(batch));
  fake_.corrupt_ = {"w1/d0", "w2/d0", "w3/d0", "e1/d0", "e2/d0", "e3/d0"};
  EXPECT_THAT(Fetch(batch[0], "west"), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_EQ(bad_.size(), 6u);
}

TEST_F(ReplicationTest, RecordedCopyThatVanishedIsReported) {
  auto batch = Batch(1);
  ASSERT_OK(Replicate(batch));
  fake_.stored_["w1/d0"].clear();
  ASSERT_OK(Fetch(batch[0], "west"));
  EXPECT_THAT(bad_, ElementsAre("w1/d0"));
}

TEST(ReadCandidatesTest, DrainingDriveIsReadAfterUpDrivesAndBeforeDownOnes) {
  drive::v1::PlacementMapInfo info = SixDriveMap();
  info.mutable_drives(0)->set_state("draining");  // w1/d0
  info.mutable_drives(1)->set_state("down");      // w2/d0
  PlacementMap map = PlacementMapFromProto(info);
  std::vector<std::string> ids;
  for (const DriveInfo* d : ReadCandidates({"w2/d0"}, map.PgDrives(0), map,
                                           /*region=*/"west")) {
    ids.push_back(d->id);
  }
  EXPECT_THAT(
      ids, ElementsAre("w3/d0", "e1/d0", "e2/d0", "e3/d0", "w1/d0", "w2/d0"));
}

}  // namespace
}  // namespace drive::client::internal
