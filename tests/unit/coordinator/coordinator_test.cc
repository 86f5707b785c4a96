#include "daemon/coordinator/coordinator.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/data_token.h"
#include "common/placement_group.h"
#include "daemon/coordinator/embedded_meta_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fake_env.h"
#include "tests/support/fake_nodes.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace drive::coordinator {
namespace {

using ::drive::testing::FakeEnv;
using ::drive::testing::StatusIs;
using ::drive::testing::TempDir;

constexpr uint32_t kPgCount = 64;
constexpr char kAdminToken[] = "admin-secret";
constexpr char kClusterToken[] = "cluster-secret";

class CoordinatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, EmbeddedMetaStore::Open(dir_.Sub("meta")));
    RegistryOptions ro;
    ro.regions = {"west", "east"};
    ro.pg_count = kPgCount;
    registry_ = std::make_unique<NodeRegistry>(store_.get(), &env_, ro);
    ns_ = std::make_unique<Namespace>(store_.get(), &env_, NamespaceOptions{});
    ASSERT_OK(ns_->Load());
    CoordinatorOptions co;
    co.admin_token = kAdminToken;
    co.cluster_token = kClusterToken;
    coordinator_ =
        std::make_unique<Coordinator>(registry_.get(), ns_.get(), &env_, co);
    ASSERT_OK_AND_ASSIGN(studio_token_, ns_->CreateAccount("studio", false));
    ASSERT_OK(ns_->CreateAccount("other", false));
  }

  // Registers w1..w3 and e1..e3 with one drive each.
  void RegisterCluster() {
    for (int i = 1; i <= 3; ++i) {
      for (const auto& [prefix, region] :
           {std::pair{"w", "west"}, std::pair{"e", "east"}}) {
        NodeRecord r;
        r.node = absl::StrCat(prefix, i);
        r.address = "127.0.0.1:1";
        r.region = region;
        r.zone = std::string(region) + "-a";
        r.host = r.node;
        r.pg_count = kPgCount;
        r.drives = {{.name = "d0", .capacity_bytes = uint64_t{1} << 40}};
        ASSERT_OK(registry_->Register(r));
        nodes_.push_back(r.node);
      }
    }
    ASSERT_NE(registry_->View()->map, nullptr);
  }

  // The drives of the PG that `chunk` of "studio" maps to: the three west
  // copies first, then the three east ones.
  std::vector<std::string> PgDrives(const ChunkId& chunk) {
    auto map = registry_->View()->map;
    return map->DrivesOf(PgOf("studio", chunk, map->pg_count()));
  }

  // A one-chunk file whose chunk has copies on `pick` (indexes into the PG's
  // drives; all six if empty).
  FileRecord File(const std::string& path, std::vector<int> pick = {}) {
    FileRecord f;
    f.path = path;
    ChunkRef c;
    c.id = ChunkId::Of(path);
    c.size = 1000;
    std::vector<std::string> drives = PgDrives(c.id);
    if (pick.empty()) {
      c.replicas = drives;
    } else {
      for (int i : pick) c.replicas.push_back(drives.at(i));
    }
    f.size = c.size;
    f.chunks.push_back(c);
    f.hash = c.id;
    return f;
  }

  // Lets `seconds` pass; nodes in `silent` do not heartbeat.
  void PassTime(int seconds, const std::set<std::string>& silent) {
    for (int t = 0; t < seconds; t += 5) {
      env_.AdvanceSeconds(std::min(5, seconds - t));
      for (const auto& n : nodes_) {
        if (silent.count(n) == 0) {
          ASSERT_OK(registry_->Heartbeat(n, {}));
        }
      }
      registry_->Tick();
    }
  }

  TempDir dir_;
  FakeEnv env_;
  std::unique_ptr<MetaStore> store_;
  std::unique_ptr<NodeRegistry> registry_;
  std::unique_ptr<Namespace> ns_;
  std::unique_ptr<Coordinator> coordinator_;
  std::string studio_token_;
  std::vector<std::string> nodes_;
};

// --- Authentication and authorization ---

TEST_F(CoordinatorTest, AuthenticateMapsTokensToRoles) {
  ASSERT_OK_AND_ASSIGN(Caller admin, coordinator_->Authenticate(kAdminToken));
  EXPECT_EQ(admin.role, Role::kAdmin);
  ASSERT_OK_AND_ASSIGN(Caller cluster,
                       coordinator_->Authenticate(kClusterToken));
  EXPECT_EQ(cluster.role, Role::kCluster);
  ASSERT_OK_AND_ASSIGN(Caller account,
                       coordinator_->Authenticate(studio_token_));
  EXPECT_EQ(account.role, Role::kAccount);
  EXPECT_EQ(account.account, "studio");
}

TEST_F(CoordinatorTest, AnyOtherTokenIsUnauthenticated) {
  for (const std::string& token :
       {std::string(), std::string("nope"), std::string("admin-secre"),
        std::string(kAdminToken) + "x", std::string(kClusterToken) + " ",
        studio_token_.substr(0, studio_token_.size() - 1),
        IssueDataToken(kClusterToken, "studio", 2'000'000'000)}) {
    EXPECT_THAT(coordinator_->Authenticate(token),
                StatusIs(absl::StatusCode::kUnauthenticated))
        << token;
  }
}

TEST_F(CoordinatorTest, RequireAccountAdmitsThatAccountAdminAndCluster) {
  Caller studio{Role::kAccount, "studio"};
  Caller admin{Role::kAdmin, ""};
  Caller cluster{Role::kCluster, ""};
  EXPECT_OK(coordinator_->RequireAccount(studio, "studio"));
  EXPECT_THAT(coordinator_->RequireAccount(studio, "other"),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_OK(coordinator_->RequireAccount(admin, "other"));
  // The gateway acts for every account with the cluster token.
  EXPECT_OK(coordinator_->RequireAccount(cluster, "studio"));
  EXPECT_OK(coordinator_->RequireAccount(cluster, "other"));
}

TEST_F(CoordinatorTest,
       RequireRoleAdmitsThatRoleAndAdminButClusterOnlyCluster) {
  Caller studio{Role::kAccount, "studio"};
  Caller admin{Role::kAdmin, ""};
  Caller cluster{Role::kCluster, ""};
  EXPECT_OK(coordinator_->Require(cluster, Role::kCluster));
  EXPECT_OK(coordinator_->Require(admin, Role::kAdmin));
  // Registering nodes is the daemons' business alone.
  EXPECT_THAT(coordinator_->Require(admin, Role::kCluster),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(coordinator_->Require(studio, Role::kCluster),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(coordinator_->Require(cluster, Role::kAdmin),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(CoordinatorTest, IssuedDataTokenVerifiesWithTheClusterToken) {
  auto [token, expires] = coordinator_->IssueDataToken("studio");
  EXPECT_EQ(expires, absl::ToUnixSeconds(env_.Now() + absl::Hours(1)));
  int64_t now = absl::ToUnixSeconds(env_.Now());
  ASSERT_OK_AND_ASSIGN(std::string account,
                       VerifyDataToken(kClusterToken, token, now));
  EXPECT_EQ(account, "studio");
  EXPECT_THAT(VerifyDataToken(kClusterToken, token, expires),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

// --- Commit durability ---

TEST_F(CoordinatorTest, CommitWithCopiesOnAllPgDrivesIsFull) {
  RegisterCluster();
  ASSERT_OK_AND_ASSIGN(
      auto committed, coordinator_->Commit("studio", {File("a.jpg")}, nullptr));
  EXPECT_EQ(committed[0].durability, "full");
  ASSERT_OK_AND_ASSIGN(FileRecord stored, ns_->Stat("studio", "a.jpg"));
  EXPECT_EQ(stored.durability, "full");
  EXPECT_EQ(stored.chunks[0].replicas.size(), 6u);
}

TEST_F(CoordinatorTest, CommitWithCopiesInBothRegionsIsGeo) {
  RegisterCluster();
  // Two west copies and one east copy.
  ASSERT_OK_AND_ASSIGN(
      auto committed,
      coordinator_->Commit("studio", {File("a.jpg", {0, 1, 3})}, nullptr));
  EXPECT_EQ(committed[0].durability, "geo");
  EXPECT_EQ(ns_->Stat("studio", "a.jpg")->durability, "geo");
}

TEST_F(CoordinatorTest, FileIsGeoIfAnyChunkIsNotFullyReplicated) {
  RegisterCluster();
  FileRecord f = File("two-chunks.jpg");
  FileRecord geo_part = File("other-chunk", {2, 5});
  f.chunks.push_back(geo_part.chunks[0]);
  f.size += geo_part.size;
  ASSERT_OK_AND_ASSIGN(auto committed,
                       coordinator_->Commit("studio", {f}, nullptr));
  EXPECT_EQ(committed[0].durability, "geo");
}

TEST_F(CoordinatorTest, CommitWithCopiesInOneRegionIsRefusedAndStoresNothing) {
  RegisterCluster();
  for (const std::vector<int>& west_only :
       {std::vector<int>{0, 1, 2}, std::vector<int>{0}}) {
    EXPECT_THAT(
        coordinator_->Commit("studio", {File("a.jpg", west_only)}, nullptr),
        StatusIs(absl::StatusCode::kFailedPrecondition));
  }
  EXPECT_THAT(
      coordinator_->Commit("studio", {File("a.jpg", {3, 4, 5})}, nullptr),
      StatusIs(absl::StatusCode::kFailedPrecondition));
  // One bad file sinks the whole session commit.
  EXPECT_THAT(coordinator_->Commit(
                  "studio", {File("good.jpg"), File("b.jpg", {4})}, nullptr),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  FileRecord no_copies = File("c.jpg");
  no_copies.chunks[0].replicas.clear();
  EXPECT_THAT(coordinator_->Commit("studio", {no_copies}, nullptr),
              StatusIs(absl::StatusCode::kFailedPrecondition));

  ASSERT_OK_AND_ASSIGN(FileListing listing, ns_->List("studio", "", "", 100));
  EXPECT_TRUE(listing.files.empty());
  EXPECT_EQ(ns_->file_count(), 0u);
}

TEST_F(CoordinatorTest, OneRegionCommitIsLocalOnlyWhileTheOperatorAllowsIt) {
  RegisterCluster();
  coordinator_->SetAllowLocalWrites(true);
  ASSERT_OK_AND_ASSIGN(
      auto committed,
      coordinator_->Commit("studio", {File("a.jpg", {0, 1})}, nullptr));
  EXPECT_EQ(committed[0].durability, "local");
  EXPECT_EQ(coordinator_->Stat("studio", "a.jpg")->durability, "local");
  coordinator_->SetAllowLocalWrites(false);
  EXPECT_THAT(coordinator_->Commit("studio", {File("b.jpg", {0, 1})}, nullptr),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(CoordinatorTest, DurabilityFollowsRepairAndDriveStates) {
  RegisterCluster();
  testing::FakeNodes nodes(kPgCount);
  ThreadPoolExecutor executor(2);
  RepairPlanner planner(registry_.get(), ns_.get(), &nodes, &executor, &env_,
                        RepairOptions{});
  int wakes = 0;
  coordinator_->SetRepairPlanner(&planner, [&] { ++wakes; });
  FileRecord f = File("a.jpg", {0, 1, 3});
  std::vector<std::string> drives = PgDrives(f.chunks[0].id);
  for (int i : {0, 1, 3})
    nodes.PutChunk(drives[i], "studio", f.chunks[0].id, 1000);
  ASSERT_OK(coordinator_->Commit("studio", {f}, nullptr));
  EXPECT_EQ(wakes, 1);
  EXPECT_EQ(coordinator_->Stat("studio", "a.jpg")->durability, "geo");
  ASSERT_OK(planner.Sweep());
  EXPECT_EQ(coordinator_->Stat("studio", "a.jpg")->durability, "full");
  ASSERT_OK_AND_ASSIGN(FileListing l, coordinator_->List("studio", "", "", 10));
  EXPECT_EQ(l.files[0].durability, "full");
  // A member goes silent: no longer six verified copies on up drives.
  std::string node = drives[4].substr(0, drives[4].find('/'));
  PassTime(15, {node});
  EXPECT_EQ(coordinator_->Stat("studio", "a.jpg")->durability, "geo");
}

TEST_F(CoordinatorTest, ReplicaOnUnknownDriveIsInvalidArgument) {
  RegisterCluster();
  FileRecord f = File("a.jpg");
  f.chunks[0].replicas.push_back("zz/d9");
  EXPECT_THAT(coordinator_->Commit("studio", {f}, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ns_->Stat("studio", "a.jpg"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(CoordinatorTest, CommitBeforeAnyMapIsFailedPrecondition) {
  FileRecord f;
  f.path = "a.jpg";
  EXPECT_THAT(coordinator_->Commit("studio", {f}, nullptr),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(CoordinatorTest, CommitKeepsNamespaceRules) {
  RegisterCluster();
  EXPECT_THAT(coordinator_->Commit("nobody", {File("a.jpg")}, nullptr),
              StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK(coordinator_->Commit("studio", {File("a.jpg")}, nullptr));
  std::vector<uint64_t> expect_new = {0};
  EXPECT_THAT(coordinator_->Commit("studio", {File("a.jpg")}, &expect_new),
              StatusIs(absl::StatusCode::kAborted));
}

// --- Health ---

TEST_F(CoordinatorTest, HealthWithNoMapCountsNothing) {
  PgHealth h = coordinator_->Health();
  EXPECT_EQ(h.full + h.degraded + h.one_region + h.unavailable, 0u);
}

TEST_F(CoordinatorTest, HealthIsFullWhenEveryDriveIsUp) {
  RegisterCluster();
  PgHealth h = coordinator_->Health();
  EXPECT_EQ(h.full, kPgCount);
  EXPECT_EQ(h.degraded, 0u);
  EXPECT_EQ(h.one_region, 0u);
  EXPECT_EQ(h.unavailable, 0u);
}

TEST_F(CoordinatorTest, HealthIsDegradedWhenOneDriveIsDown) {
  RegisterCluster();
  PassTime(15, {"w1"});
  PgHealth h = coordinator_->Health();
  // With three west hosts every PG holds w1.
  EXPECT_EQ(h.degraded, kPgCount);
  EXPECT_EQ(h.full, 0u);
}

TEST_F(CoordinatorTest, HealthIsOneRegionWhenARegionIsDown) {
  RegisterCluster();
  PassTime(15, {"w1", "w2", "w3"});
  PgHealth h = coordinator_->Health();
  EXPECT_EQ(h.one_region, kPgCount);
  EXPECT_EQ(h.full, 0u);
  EXPECT_EQ(h.degraded, 0u);
  EXPECT_EQ(h.unavailable, 0u);

  PassTime(15, {"w1", "w2", "w3", "e1", "e2", "e3"});
  EXPECT_EQ(coordinator_->Health().unavailable, kPgCount);
}

// The status path (Health) and the pgs path (Pgs) classify alike, including
// a PG whose members are all up while the repair planner has copies to make.
TEST_F(CoordinatorTest, PgWithPendingRepairIsDegradedForStatusAndPgs) {
  RegisterCluster();
  testing::FakeNodes nodes(kPgCount);
  ThreadPoolExecutor executor(2);
  RepairPlanner planner(registry_.get(), ns_.get(), &nodes, &executor, &env_,
                        RepairOptions{});
  coordinator_->SetRepairPlanner(&planner, nullptr);
  ASSERT_OK(planner.Sweep());
  EXPECT_EQ(coordinator_->Health().full, kPgCount);

  // A commit that met the quorum with three of six copies: repair pending.
  FileRecord f = File("a.jpg", {0, 1, 3});
  ASSERT_OK(coordinator_->Commit("studio", {f}, nullptr));
  uint32_t pending = PgOf("studio", f.chunks[0].id, kPgCount);
  ASSERT_EQ(planner.SyncOf(pending), PgSync::kNeedsWork);

  ASSERT_OK_AND_ASSIGN(PgListing listing, coordinator_->Pgs());
  ASSERT_EQ(listing.pgs.size(), kPgCount);
  EXPECT_EQ(listing.epoch, registry_->View()->map->epoch());
  PgHealth from_pgs;
  for (const PgStatus& st : listing.pgs) {
    EXPECT_EQ(st.health, st.pg == pending ? PgHealthState::kDegraded
                                          : PgHealthState::kFull)
        << "pg " << st.pg;
    from_pgs.Add(st.health);
  }
  PgHealth h = coordinator_->Health();
  EXPECT_EQ(h.full, kPgCount - 1);
  EXPECT_EQ(h.degraded, 1u);
  EXPECT_EQ(h.one_region, 0u);
  EXPECT_EQ(h.unavailable, 0u);
  EXPECT_EQ(from_pgs.full, h.full);
  EXPECT_EQ(from_pgs.degraded, h.degraded);
}

TEST_F(CoordinatorTest, PgsWithNoMapIsUnavailable) {
  EXPECT_THAT(coordinator_->Pgs(), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(CoordinatorTest, BadReplicaReportsAreCounted) {
  RegisterCluster();
  Caller studio{Role::kAccount, "studio"};
  EXPECT_OK(coordinator_->ReportBadReplica(studio, "studio", ChunkId::Of("x"),
                                           "w1/d0", "hash mismatch"));
  EXPECT_OK(coordinator_->ReportBadReplica(studio, "studio", ChunkId::Of("y"),
                                           "e1/d0", "missing"));
  EXPECT_EQ(coordinator_->bad_replicas_reported(), 2u);
}

TEST_F(CoordinatorTest,
       BadReplicaReportOfAnUnknownDriveIsNotFoundAndUncounted) {
  RegisterCluster();
  int calls = 0;
  coordinator_->SetBadReportHandler([&](const std::string&, const std::string&,
                                        const ChunkId&, const std::string&) {
    ++calls;
    return BadReportVerdict::kCheck;
  });
  Caller studio{Role::kAccount, "studio"};
  EXPECT_THAT(coordinator_->ReportBadReplica(studio, "studio", ChunkId::Of("x"),
                                             "nowhere/d0", "hash mismatch"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(calls, 0);  // the rate gate never saw it
  EXPECT_EQ(coordinator_->bad_replicas_reported(), 0u);
}

TEST_F(CoordinatorTest, BadReplicaReportsGoThroughTheHandlerPerCaller) {
  RegisterCluster();
  std::vector<std::string> keys;
  coordinator_->SetBadReportHandler([&](const std::string& key,
                                        const std::string&, const ChunkId& id,
                                        const std::string&) {
    keys.push_back(key);
    return id == ChunkId::Of("again")   ? BadReportVerdict::kDuplicate
           : id == ChunkId::Of("flood") ? BadReportVerdict::kRateLimited
                                        : BadReportVerdict::kCheck;
  });
  Caller studio{Role::kAccount, "studio"};
  Caller gateway{Role::kCluster, ""};
  EXPECT_OK(coordinator_->ReportBadReplica(studio, "studio", ChunkId::Of("x"),
                                           "w1/d0", ""));
  EXPECT_OK(coordinator_->ReportBadReplica(gateway, "other",
                                           ChunkId::Of("again"), "w1/d0", ""));
  EXPECT_THAT(coordinator_->ReportBadReplica(studio, "studio",
                                             ChunkId::Of("flood"), "w1/d0", ""),
              StatusIs(absl::StatusCode::kResourceExhausted));
  // Only the new report counts; the daemons are limited per account.
  EXPECT_EQ(coordinator_->bad_replicas_reported(), 1u);
  EXPECT_THAT(keys, ::testing::ElementsAre("account/studio", "cluster/other",
                                           "account/studio"));
}

}  // namespace
}  // namespace drive::coordinator
