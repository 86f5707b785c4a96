#include "daemon/coordinator/garbage_collector.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/placement_group.h"
#include "common/status_util.h"
#include "daemon/coordinator/repair_planner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fake_env.h"
#include "tests/support/fake_nodes.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_meta_store.h"

namespace drive::coordinator {
namespace {

using ::drive::testing::FakeEnv;
using ::drive::testing::FakeNodes;
using ::drive::testing::StatusIs;
using ::drive::testing::TempDir;

constexpr uint32_t kPgCount = 8;
constexpr int64_t kHour = 3600;

class GarbageCollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_,
                         drive::testing::OpenTestMetaStore(dir_.Sub("meta")));
    RegistryOptions ro;
    ro.regions = {"west", "east"};
    ro.pg_count = kPgCount;
    ro.down_after = absl::Hours(1000);  // the fake clock jumps days
    ro.out_after = absl::Hours(2000);
    registry_ = std::make_unique<NodeRegistry>(store_.get(), &env_, ro);
    NamespaceOptions no;
    no.trash_retention = absl::Hours(24);
    ns_ = std::make_unique<Namespace>(store_.get(), &env_, no);
    ASSERT_OK(ns_->Load());
    ASSERT_OK(ns_->CreateAccount("studio", false));
    for (int i = 1; i <= 3; ++i) {
      for (const auto& [prefix, region] :
           {std::pair{"w", "west"}, std::pair{"e", "east"}}) {
        NodeRecord r;
        r.node = absl::StrCat(prefix, i);
        r.address = r.node + ":7100";
        r.region = region;
        r.zone = region;
        r.host = r.node;
        r.pg_count = kPgCount;
        r.drives = {{.name = "d0", .capacity_bytes = uint64_t{1} << 40}};
        ASSERT_OK(registry_->Register(r));
      }
    }
    GcOptions go;
    go.grace = absl::Hours(2);
    go.tombstone_retention = absl::Hours(48);
    gc_ = std::make_unique<GarbageCollector>(registry_.get(), ns_.get(),
                                             &nodes_, &env_, go);
  }

  std::vector<std::string> Members(const ChunkId& id) {
    return registry_->View()->map->DrivesOf(PgOf("studio", id, kPgCount));
  }
  // Stores the chunk on all six of its drives, stamped with the fake clock.
  void Store(const ChunkId& id) {
    for (const auto& d : Members(id)) {
      nodes_.PutChunk(d, "studio", id, 1000, absl::ToUnixSeconds(env_.Now()));
    }
  }
  FileRecord File(const std::string& path, const ChunkId& id) {
    FileRecord f;
    f.path = path;
    f.size = 1000;
    f.hash = id;
    f.chunks.push_back({id, 1000, Members(id)});
    f.durability = "full";
    return f;
  }
  int64_t NowMs() { return absl::ToUnixMillis(env_.Now()); }
  void Advance(int64_t s) {
    env_.AdvanceSeconds(s);
    auto view = registry_->View();
    for (const auto& d : view->drives) {
      ASSERT_OK(registry_->Heartbeat(d.info.node, {}));
    }
  }

  TempDir dir_;
  FakeEnv env_;
  FakeNodes nodes_{kPgCount};
  std::unique_ptr<MetaStore> store_;
  std::unique_ptr<NodeRegistry> registry_;
  std::unique_ptr<Namespace> ns_;
  std::unique_ptr<GarbageCollector> gc_;
};

TEST_F(GarbageCollectorTest,
       DeletedFileIsCollectedAfterTrashRetentionAndGrace) {
  ChunkId id = ChunkId::Of("photo");
  Store(id);
  ASSERT_OK(ns_->Commit("studio", {File("a.jpg", id)}, nullptr));
  ASSERT_OK(ns_->Delete("studio", "a.jpg"));
  ASSERT_OK_AND_ASSIGN(GcReportInfo r, gc_->Run(false));
  EXPECT_EQ(r.trash_expired, 0u);  // restorable for 24 h
  EXPECT_EQ(nodes_.HoldersOf("studio", id).size(), 6u);

  Advance(25 * kHour);
  ASSERT_OK_AND_ASSIGN(r, gc_->Run(false));
  EXPECT_EQ(r.trash_expired, 1u);
  EXPECT_EQ(r.chunks, 0u);  // unreferenced only now: grace starts
  EXPECT_EQ(nodes_.HoldersOf("studio", id).size(), 6u);

  Advance(3 * kHour);
  ASSERT_OK_AND_ASSIGN(r, gc_->Run(false));
  EXPECT_EQ(r.chunks, 1u);
  EXPECT_EQ(r.bytes, 1000u);
  EXPECT_EQ(r.pending, 0u);
  EXPECT_TRUE(nodes_.HoldersOf("studio", id).empty());
}

TEST_F(GarbageCollectorTest, ReferencedChunksAreNeverCollected) {
  ChunkId live = ChunkId::Of("live");
  Store(live);
  ASSERT_OK(ns_->Commit("studio", {File("live.jpg", live)}, nullptr));
  // A trashed older version of another file keeps its chunk too.
  ChunkId old = ChunkId::Of("old version");
  Store(old);
  ASSERT_OK(ns_->Commit("studio", {File("b.jpg", old)}, nullptr));
  ASSERT_OK(ns_->Commit("studio", {File("b.jpg", live)}, nullptr));
  Advance(10 * kHour);
  ASSERT_OK_AND_ASSIGN(GcReportInfo r, gc_->Run(false));
  EXPECT_EQ(r.chunks, 0u);
  EXPECT_EQ(nodes_.HoldersOf("studio", live).size(), 6u);
  EXPECT_EQ(nodes_.HoldersOf("studio", old).size(), 6u);
}

TEST_F(GarbageCollectorTest, NeverCommittedChunkWaitsForTheGracePeriod) {
  ChunkId orphan = ChunkId::Of("abandoned upload");
  Store(orphan);
  Advance(1 * kHour);
  ASSERT_OK_AND_ASSIGN(GcReportInfo r, gc_->Run(false));
  EXPECT_EQ(r.chunks, 0u);
  Advance(2 * kHour);
  ASSERT_OK_AND_ASSIGN(GcReportInfo dry, gc_->Run(true));
  EXPECT_EQ(dry.chunks, 1u);
  EXPECT_EQ(nodes_.HoldersOf("studio", orphan).size(), 6u);  // dry run
  ASSERT_OK_AND_ASSIGN(r, gc_->Run(false));
  EXPECT_EQ(r.chunks, 1u);
  EXPECT_TRUE(nodes_.HoldersOf("studio", orphan).empty());
}

// The race: an upload finds the chunk present (so it sends nothing), GC
// collects the chunk, and the upload commits. The commit must be refused,
// and the upload again must then succeed with its own copies.
TEST_F(GarbageCollectorTest, UploadDeduplicatedOntoACollectedChunkIsRefused) {
  ChunkId id = ChunkId::Of("same bytes");
  Store(id);
  Advance(3 * kHour);
  int64_t upload_started = NowMs();  // the writer's HasChunks saw six copies
  Advance(1);
  ASSERT_OK_AND_ASSIGN(GcReportInfo r, gc_->Run(false));
  ASSERT_EQ(r.chunks, 1u);
  auto refused =
      ns_->Commit("studio", {File("dup.jpg", id)}, nullptr, upload_started);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kAborted));
  EXPECT_TRUE(IsUploadAgain(refused.status()));  // the client's signal
  EXPECT_THAT(ns_->Stat("studio", "dup.jpg"),
              StatusIs(absl::StatusCode::kNotFound));
  // Uploading again writes fresh copies and commits.
  Advance(5);
  int64_t again = NowMs();
  Store(id);
  ASSERT_OK(ns_->Commit("studio", {File("dup.jpg", id)}, nullptr, again));
  Advance(10 * kHour);
  ASSERT_OK_AND_ASSIGN(r, gc_->Run(false));
  EXPECT_EQ(r.chunks, 0u);
  EXPECT_EQ(nodes_.HoldersOf("studio", id).size(), 6u);
}

TEST_F(GarbageCollectorTest, CommitBeforeCondemnationKeepsTheChunk) {
  ChunkId id = ChunkId::Of("racing");
  Store(id);
  Advance(3 * kHour);
  // Listed as garbage, then committed before the condemnation.
  ASSERT_OK(ns_->Commit("studio", {File("r.jpg", id)}, nullptr, NowMs()));
  ASSERT_OK_AND_ASSIGN(auto condemned, ns_->Condemn({{"studio", id}}, NowMs()));
  EXPECT_TRUE(condemned.empty());
}

TEST_F(GarbageCollectorTest, CopyOnAnUnreachableDriveIsNotResurrected) {
  ChunkId id = ChunkId::Of("gone");
  Store(id);
  std::string straggler = Members(id)[4];
  nodes_.SetUnreachable(straggler, true);
  Advance(3 * kHour);
  ASSERT_OK_AND_ASSIGN(GcReportInfo r, gc_->Run(false));
  EXPECT_EQ(r.chunks, 0u);  // not complete: one live drive was not listed
  EXPECT_EQ(r.pending, 1u);
  EXPECT_EQ(nodes_.HoldersOf("studio", id), std::set<std::string>({straggler}));
  // It comes back; anti-entropy must not copy the chunk anywhere.
  nodes_.SetUnreachable(straggler, false);
  ThreadPoolExecutor executor(2);
  RepairPlanner planner(registry_.get(), ns_.get(), &nodes_, &executor, &env_,
                        RepairOptions{});
  ASSERT_OK_AND_ASSIGN(SweepSummary s, planner.Sweep());
  EXPECT_EQ(s.copies_planned, 0u);
  // The next collection finishes the job.
  ASSERT_OK_AND_ASSIGN(r, gc_->Run(false));
  EXPECT_EQ(r.pending, 0u);
  EXPECT_TRUE(nodes_.HoldersOf("studio", id).empty());
}

TEST_F(GarbageCollectorTest, OldTombstonesAreErasedAndOldUploadsRefused) {
  ChunkId id = ChunkId::Of("ancient");
  Store(id);
  Advance(3 * kHour);
  int64_t very_old_upload = NowMs() - 1000;
  ASSERT_OK(gc_->Run(false));
  Advance(49 * kHour);
  ASSERT_OK(gc_->Run(false));
  ASSERT_OK_AND_ASSIGN(auto tombs, ns_->ListTombstones());
  EXPECT_TRUE(tombs.empty());
  ChunkId other = ChunkId::Of("unrelated");
  Store(other);
  auto refused =
      ns_->Commit("studio", {File("x.jpg", other)}, nullptr, very_old_upload);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kAborted));
  EXPECT_TRUE(IsUploadAgain(refused.status()));
  EXPECT_OK(ns_->Commit("studio", {File("x.jpg", other)}, nullptr, NowMs()));
}

}  // namespace
}  // namespace drive::coordinator
