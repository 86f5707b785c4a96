#include "daemon/repair/chunk_puller.h"

#include <map>
#include <set>
#include <utility>

#include "absl/time/clock.h"
#include "daemon/storage/chunk_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fake_env.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace drive::repair {
namespace {

using ::drive::testing::FakeEnv;
using ::drive::testing::StatusHas;
using ::drive::testing::StatusIs;
using ::drive::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Sources the test fills in: what each drive id returns. Records the reads.
class FakeFetcher : public ChunkFetcher {
 public:
  absl::StatusOr<std::string> ReadCopy(std::string_view, const ChunkId&,
                                       const ChunkSource& source) override {
    reads.push_back(source.drive_id);
    auto it = copies.find(source.drive_id);
    if (it == copies.end()) return absl::UnavailableError("node down");
    return it->second;
  }
  std::map<std::string, absl::StatusOr<std::string>> copies;
  std::vector<std::string> reads;
};

// A drive in memory whose Sync can be made to fail. `durable` holds what
// the last successful Sync covered.
class FakeDestination : public PullDestination {
 public:
  absl::StatusOr<bool> Has(std::string_view account,
                           const ChunkId& id) override {
    return stored.contains({std::string(account), id});
  }
  absl::Status PutUnsynced(std::string_view account, const ChunkId& id,
                           std::string_view data) override {
    if (!put_error.ok()) return put_error;
    stored[{std::string(account), id}] = std::string(data);
    return absl::OkStatus();
  }
  absl::Status Sync() override {
    ++syncs;
    if (!sync_error.ok()) return sync_error;
    durable = stored;
    return absl::OkStatus();
  }

  std::map<std::pair<std::string, ChunkId>, std::string> stored;
  std::map<std::pair<std::string, ChunkId>, std::string> durable;
  absl::Status put_error;
  absl::Status sync_error;
  int syncs = 0;
};

ChunkSource Source(const std::string& drive_id) {
  return {drive_id + ":7000", "d0", drive_id};
}

class ChunkPullerTest : public ::testing::Test {
 protected:
  // A task for `data` with the given sources, in order.
  PullTask Task(const std::string& data, std::vector<std::string> drive_ids) {
    PullTask t{"alice", ChunkId::Of(data), {}};
    for (const auto& d : drive_ids) t.sources.push_back(Source(d));
    return t;
  }
  PullResult Pull(std::vector<absl::StatusOr<PullTask>> tasks) {
    return puller_.Pull(&dest_, &limiter_, tasks);
  }

  FakeEnv env_;
  FakeFetcher fetcher_;
  FakeDestination dest_;
  RateLimiter limiter_{&env_, 0};  // unlimited unless a test sets a rate
  ChunkPuller puller_{&fetcher_, &env_};
};

TEST_F(ChunkPullerTest, CopiesAChunkAndSyncsOnceBeforeReportingIt) {
  const std::string a = "chunk a", b = "chunk b";
  fetcher_.copies["n1/d0"] = a;
  fetcher_.copies["n2/d0"] = b;
  PullResult r = Pull({Task(a, {"n1/d0"}), Task(b, {"n2/d0"})});
  EXPECT_THAT(r.statuses, ElementsAre(absl::OkStatus(), absl::OkStatus()));
  EXPECT_EQ(r.bytes_copied, a.size() + b.size());
  EXPECT_EQ(dest_.syncs, 1);
  EXPECT_EQ(dest_.durable.size(), 2u);
}

TEST_F(ChunkPullerTest, BadBytesFromTheFirstSourceAreSkippedForTheNext) {
  const std::string good = "the real chunk";
  fetcher_.copies["n1/d0"] = std::string("the real chunK");  // bit rot
  fetcher_.copies["n2/d0"] = good;
  PullResult r = Pull({Task(good, {"n1/d0", "n2/d0"})});
  EXPECT_THAT(r.statuses, ElementsAre(absl::OkStatus()));
  EXPECT_THAT(fetcher_.reads, ElementsAre("n1/d0", "n2/d0"));
  EXPECT_EQ(dest_.durable.at({"alice", ChunkId::Of(good)}), good);
}

TEST_F(ChunkPullerTest, EverySourceBadFailsThatChunkOnly) {
  const std::string lost = "lost chunk", fine = "fine chunk";
  fetcher_.copies["n1/d0"] = std::string("lost chunK");
  fetcher_.copies["n2/d0"] = absl::DataLossError("checksum mismatch");
  fetcher_.copies["n3/d0"] = fine;
  PullResult r = Pull({Task(lost, {"n1/d0", "n2/d0"}), Task(fine, {"n3/d0"})});
  ASSERT_EQ(r.statuses.size(), 2u);
  EXPECT_THAT(r.statuses[0],
              StatusHas(absl::StatusCode::kDataLoss, "every copy"));
  EXPECT_OK(r.statuses[1]);
  EXPECT_EQ(r.bytes_copied, fine.size());
  EXPECT_FALSE(dest_.stored.contains({"alice", ChunkId::Of(lost)}));
}

TEST_F(ChunkPullerTest, UnreachableSourcesReportTheLastError) {
  const std::string c = "chunk";
  PullResult r = Pull({Task(c, {"n1/d0", "n2/d0"}), Task(c, {})});
  EXPECT_THAT(r.statuses[0],
              StatusHas(absl::StatusCode::kUnavailable, "n2/d0: node down"));
  EXPECT_THAT(r.statuses[1], StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(dest_.syncs, 0);  // nothing stored, nothing to sync
}

TEST_F(ChunkPullerTest, PacingWaitsOnTheEnvClock) {
  limiter_.SetRate(1000);  // bytes/s, one second of burst
  const std::string c1(1000, 'a'), c2(1000, 'b'), c3(1000, 'c');
  fetcher_.copies["n1/d0"] = c1;
  fetcher_.copies["n2/d0"] = c2;
  fetcher_.copies["n3/d0"] = c3;
  absl::Time start = env_.Now();
  absl::Time wall_start = absl::Now();
  PullResult r =
      Pull({Task(c1, {"n1/d0"}), Task(c2, {"n2/d0"}), Task(c3, {"n3/d0"})});
  EXPECT_THAT(r.statuses, ElementsAre(absl::OkStatus(), absl::OkStatus(),
                                      absl::OkStatus()));
  // The burst covers the first chunk; each further 1000 bytes waits 1 s.
  EXPECT_EQ(env_.slept(), absl::Seconds(2));
  EXPECT_EQ(env_.Now() - start, absl::Seconds(2));
  EXPECT_LT(absl::Now() - wall_start, absl::Seconds(1));  // no real sleep
}

TEST_F(ChunkPullerTest, SyncFailureReportsNothingAsStored) {
  const std::string a = "chunk a", b = "chunk b";
  fetcher_.copies["n1/d0"] = a;
  fetcher_.copies["n2/d0"] = b;
  dest_.sync_error = absl::UnavailableError("fsync: I/O error");
  PullResult r = Pull({Task(a, {"n1/d0"}), Task(b, {"n2/d0"})});
  EXPECT_THAT(r.statuses[0],
              StatusHas(absl::StatusCode::kUnavailable, "fsync: I/O error"));
  EXPECT_THAT(r.statuses[1],
              StatusHas(absl::StatusCode::kUnavailable, "fsync: I/O error"));
  EXPECT_EQ(r.bytes_copied, 0u);
  EXPECT_THAT(dest_.durable, IsEmpty());
}

TEST_F(ChunkPullerTest, SuccessesBeforeASyncFailureAreNotReportedOk) {
  const std::string present = "already here", copied = "copied",
                    missing = "missing";
  dest_.stored[{"alice", ChunkId::Of(present)}] = present;  // not yet durable
  fetcher_.copies["n1/d0"] = copied;
  dest_.sync_error = absl::UnavailableError("fsync: I/O error");
  PullResult r = Pull({Task(present, {"n1/d0"}), Task(copied, {"n1/d0"}),
                       Task(missing, {"n9/d0"}),
                       absl::InvalidArgumentError("bad account name")});
  ASSERT_EQ(r.statuses.size(), 4u);
  // The present and the copied chunk were fine until the Sync: its error.
  EXPECT_THAT(r.statuses[0],
              StatusHas(absl::StatusCode::kUnavailable, "fsync"));
  EXPECT_THAT(r.statuses[1],
              StatusHas(absl::StatusCode::kUnavailable, "fsync"));
  // The others keep their own errors.
  EXPECT_THAT(r.statuses[2],
              StatusHas(absl::StatusCode::kUnavailable, "node down"));
  EXPECT_THAT(r.statuses[3], StatusHas(absl::StatusCode::kInvalidArgument,
                                       "bad account name"));
  EXPECT_EQ(r.bytes_copied, 0u);
  EXPECT_EQ(dest_.syncs, 1);
}

TEST_F(ChunkPullerTest, APresentChunkIsNotFetchedButStillSynced) {
  const std::string c = "chunk";
  dest_.stored[{"alice", ChunkId::Of(c)}] = c;
  PullResult r = Pull({Task(c, {"n1/d0"})});
  EXPECT_THAT(r.statuses, ElementsAre(absl::OkStatus()));
  EXPECT_THAT(fetcher_.reads, IsEmpty());
  EXPECT_EQ(r.bytes_copied, 0u);
  EXPECT_EQ(dest_.syncs, 1);  // another writer's copy may not be durable
}

TEST_F(ChunkPullerTest, AStoreErrorFailsThatChunk) {
  const std::string c = "chunk";
  fetcher_.copies["n1/d0"] = c;
  dest_.put_error = absl::ResourceExhaustedError("below the reserve");
  PullResult r = Pull({Task(c, {"n1/d0"})});
  EXPECT_THAT(r.statuses[0], StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(dest_.syncs, 0);
}

TEST(StoreDestinationTest, PulledCopiesLandInTheChunkStore) {
  TempDir dir;
  FakeEnv env;
  storage::ChunkStoreOptions o;
  o.path = dir.Sub("d0");
  o.pg_count = 16;
  o.reserve_bytes = 0;
  o.env = &env;
  ASSERT_OK_AND_ASSIGN(auto store, storage::ChunkStore::Open(o));
  FakeFetcher fetcher;
  const std::string c = "a chunk for the store";
  fetcher.copies["n1/d0"] = c;
  RateLimiter limiter(&env, 0);
  ChunkPuller puller(&fetcher, &env);
  StoreDestination dest(store.get());
  PullResult r = puller.Pull(
      &dest, &limiter, {PullTask{"alice", ChunkId::Of(c), {Source("n1/d0")}}});
  EXPECT_THAT(r.statuses, ElementsAre(absl::OkStatus()));
  ASSERT_OK_AND_ASSIGN(storage::ChunkData got,
                       store->Get("alice", ChunkId::Of(c)));
  EXPECT_EQ(got.bytes(), c);
}

}  // namespace
}  // namespace drive::repair
