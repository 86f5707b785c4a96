#include "daemon/coordinator/node_registry.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "daemon/coordinator/embedded_meta_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fake_env.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace drive::coordinator {
namespace {

using ::drive::testing::FakeEnv;
using ::drive::testing::StatusIs;
using ::drive::testing::TempDir;
using ::testing::Contains;
using ::testing::Not;

constexpr uint32_t kPgCount = 64;
constexpr uint64_t kTiB = uint64_t{1} << 40;

NodeRecord MakeNode(const std::string& name, const std::string& region) {
  NodeRecord r;
  r.node = name;
  r.address = absl::StrCat("127.0.0.1:", 7000 + name.size());
  r.region = region;
  r.zone = region + "-a";
  r.host = name;
  r.pg_count = kPgCount;
  r.drives = {
      {.name = "d0", .capacity_bytes = 4 * kTiB, .free_bytes = 3 * kTiB}};
  return r;
}

// Each PG's drives, to compare maps across epochs.
std::vector<std::vector<std::string>> Assignment(const PlacementMap& map) {
  std::vector<std::vector<std::string>> out;
  for (uint32_t pg = 0; pg < map.pg_count(); ++pg) {
    out.push_back(map.DrivesOf(pg));
  }
  return out;
}

class NodeRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  // A fresh registry over a reopened store, as after a coordinator restart.
  void Reopen() {
    registry_.reset();
    store_.reset();
    ASSERT_OK_AND_ASSIGN(store_, EmbeddedMetaStore::Open(dir_.Sub("meta")));
    RegistryOptions o;
    o.regions = {"west", "east"};
    o.pg_count = kPgCount;
    registry_ = std::make_unique<NodeRegistry>(store_.get(), &env_, o);
  }

  // Registers w1..wN and e1..eN, one drive each.
  void RegisterNodes(int per_region) {
    for (int i = 1; i <= per_region; ++i) {
      for (const auto& [prefix, region] :
           {std::pair{"w", "west"}, std::pair{"e", "east"}}) {
        NodeRecord r = MakeNode(absl::StrCat(prefix, i), region);
        ASSERT_OK(registry_->Register(r));
        nodes_.push_back(r.node);
      }
    }
  }

  // Lets `seconds` pass in 5 s steps; every node except `silent` heartbeats
  // at each step, so only the silent ones age past down_after.
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

  DriveState StateOf(const std::string& drive_id) {
    auto view = registry_->View();
    const DriveView* d = view->Find(drive_id);
    EXPECT_NE(d, nullptr) << drive_id;
    return d ? d->info.state : DriveState::kOut;
  }

  // The number of PGs `drive_id` holds in the current map.
  int PgsOf(const std::string& drive_id) {
    auto map = registry_->View()->map;
    int n = 0;
    for (uint32_t pg = 0; pg < map->pg_count(); ++pg) {
      const auto& drives = map->DrivesOf(pg);
      n += std::count(drives.begin(), drives.end(), drive_id);
    }
    return n;
  }

  void ExpectEveryPgFull() {
    auto map = registry_->View()->map;
    ASSERT_NE(map, nullptr);
    for (uint32_t pg = 0; pg < kPgCount; ++pg) {
      EXPECT_EQ(map->DrivesOf(pg).size(), 6u) << "pg " << pg;
    }
  }

  TempDir dir_;
  FakeEnv env_;
  std::unique_ptr<MetaStore> store_;
  std::unique_ptr<NodeRegistry> registry_;
  std::vector<std::string> nodes_;
};

TEST_F(NodeRegistryTest, NoMapUntilBothRegionsHaveANode) {
  EXPECT_EQ(registry_->View()->map, nullptr);
  ASSERT_OK(registry_->Register(MakeNode("w1", "west")));
  EXPECT_EQ(registry_->View()->map, nullptr);
  EXPECT_EQ(registry_->View()->drives.size(), 1u);
  ASSERT_OK(registry_->Register(MakeNode("e1", "east")));
  ASSERT_NE(registry_->View()->map, nullptr);
  EXPECT_GE(registry_->epoch(), 1u);
}

TEST_F(NodeRegistryTest, ThreeNodesPerRegionGiveSixDrivesPerPg) {
  RegisterNodes(3);
  auto view = registry_->View();
  ASSERT_NE(view->map, nullptr);
  EXPECT_GE(view->map->epoch(), 1u);
  EXPECT_EQ(view->map->epoch(), registry_->epoch());
  EXPECT_EQ(view->map->pg_count(), kPgCount);
  ExpectEveryPgFull();
  for (uint32_t pg = 0; pg < kPgCount; ++pg) {
    const auto& d = view->map->DrivesOf(pg);
    std::set<std::string> distinct(d.begin(), d.end());
    EXPECT_EQ(distinct.size(), 6u);
  }
  ASSERT_EQ(view->drives.size(), 6u);
  for (const auto& d : view->drives) {
    EXPECT_EQ(d.info.state, DriveState::kUp) << d.info.id;
    EXPECT_EQ(d.name, "d0");
    EXPECT_EQ(d.info.capacity_bytes, 4 * kTiB);
  }
  const DriveView* w2 = view->Find("w2/d0");
  ASSERT_NE(w2, nullptr);
  EXPECT_EQ(w2->info.region, "west");
  EXPECT_EQ(w2->info.node, "w2");
}

TEST_F(NodeRegistryTest, RegistrationWithUnknownRegionOrPgCountIsRefused) {
  RegisterNodes(3);
  uint64_t epoch = registry_->epoch();
  NodeRecord north = MakeNode("n1", "north");
  EXPECT_THAT(registry_->Register(north),
              StatusIs(absl::StatusCode::kInvalidArgument));
  NodeRecord wrong_pgs = MakeNode("w9", "west");
  wrong_pgs.pg_count = 128;
  EXPECT_THAT(registry_->Register(wrong_pgs),
              StatusIs(absl::StatusCode::kInvalidArgument));
  NodeRecord no_drives = MakeNode("w8", "west");
  no_drives.drives.clear();
  EXPECT_THAT(registry_->Register(no_drives),
              StatusIs(absl::StatusCode::kInvalidArgument));
  NodeRecord slash = MakeNode("w/7", "west");
  EXPECT_THAT(registry_->Register(slash),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(registry_->View()->drives.size(), 6u);
  EXPECT_EQ(registry_->epoch(), epoch);
  EXPECT_THAT(registry_->Heartbeat("n1", {}),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(NodeRegistryTest, SilentNodeIsDownButKeepsItsPgs) {
  RegisterNodes(3);
  uint64_t epoch = registry_->epoch();
  auto before = Assignment(*registry_->View()->map);
  PassTime(15, {"w1"});
  EXPECT_EQ(StateOf("w1/d0"), DriveState::kDown);
  EXPECT_EQ(StateOf("w2/d0"), DriveState::kUp);
  EXPECT_EQ(StateOf("e1/d0"), DriveState::kUp);
  EXPECT_EQ(registry_->epoch(), epoch);
  EXPECT_EQ(Assignment(*registry_->View()->map), before);
  EXPECT_GE(registry_->View()->Find("w1/d0")->heartbeat_age_s, 15.0);
}

TEST_F(NodeRegistryTest, DriveReportedFailedIsOutAtOnceAndNotAlive) {
  RegisterNodes(4);
  uint64_t epoch = registry_->epoch();
  ASSERT_GT(PgsOf("w1/d0"), 0);
  DriveReport failed{.name = "d0"};
  failed.error = "DATA_LOSS: drive d0: no RocksDB CURRENT file";
  ASSERT_OK(registry_->Heartbeat("w1", {failed}));
  auto view = registry_->View();
  const DriveView* d = view->Find("w1/d0");
  ASSERT_NE(d, nullptr);
  EXPECT_TRUE(d->failed);
  EXPECT_EQ(d->error, failed.error);
  EXPECT_FALSE(d->alive);  // repair neither reads from it nor counts it
  EXPECT_EQ(d->info.state, DriveState::kOut);
  // Its PGs moved without waiting for out_after.
  EXPECT_EQ(registry_->epoch(), epoch + 1);
  EXPECT_EQ(PgsOf("w1/d0"), 0);
  ExpectEveryPgFull();
  // A replaced, empty disk reports no error: back in placement.
  ASSERT_OK(registry_->Heartbeat("w1", {{.name = "d0"}}));
  EXPECT_EQ(StateOf("w1/d0"), DriveState::kUp);
  EXPECT_GT(PgsOf("w1/d0"), 0);
}

TEST_F(NodeRegistryTest, AwaitReportsSinceWaitsForEveryNodeThatIsUp) {
  RegisterNodes(3);
  absl::Time asked = env_.Now();
  env_.AdvanceSeconds(1);
  EXPECT_FALSE(registry_->AwaitReportsSince(asked, absl::Milliseconds(50)));
  for (const auto& n : nodes_) {
    if (n != "e3") {
      ASSERT_OK(registry_->Heartbeat(n, {}));
    }
  }
  EXPECT_FALSE(registry_->AwaitReportsSince(asked, absl::Milliseconds(50)));
  ASSERT_OK(registry_->Heartbeat("e3", {}));
  EXPECT_TRUE(registry_->AwaitReportsSince(asked, absl::Milliseconds(50)));
}

TEST_F(NodeRegistryTest, AwaitReportsSinceDoesNotWaitForASilentNode) {
  RegisterNodes(3);
  PassTime(15, {"w1"});  // w1 is down
  absl::Time asked = env_.Now();
  env_.AdvanceSeconds(1);
  for (const auto& n : nodes_) {
    if (n != "w1") {
      ASSERT_OK(registry_->Heartbeat(n, {}));
    }
  }
  EXPECT_TRUE(registry_->AwaitReportsSince(asked, absl::Milliseconds(50)));
}

TEST_F(NodeRegistryTest, NodeSilentPastOutAfterLosesItsPgsAndBumpsEpoch) {
  RegisterNodes(4);
  uint64_t epoch = registry_->epoch();
  ASSERT_GT(PgsOf("w1/d0"), 0);
  PassTime(595, {"w1"});
  EXPECT_EQ(StateOf("w1/d0"), DriveState::kDown);
  EXPECT_EQ(registry_->epoch(), epoch);

  PassTime(10, {"w1"});
  EXPECT_EQ(StateOf("w1/d0"), DriveState::kOut);
  EXPECT_EQ(registry_->epoch(), epoch + 1);
  EXPECT_EQ(registry_->View()->map->epoch(), epoch + 1);
  EXPECT_EQ(PgsOf("w1/d0"), 0);
  ExpectEveryPgFull();
}

TEST_F(NodeRegistryTest, OutNodeThatHeartbeatsAgainGetsItsPgsBack) {
  RegisterNodes(4);
  auto before = Assignment(*registry_->View()->map);
  PassTime(605, {"w1"});
  ASSERT_EQ(StateOf("w1/d0"), DriveState::kOut);
  uint64_t out_epoch = registry_->epoch();

  ASSERT_OK_AND_ASSIGN(uint64_t epoch, registry_->Heartbeat("w1", {}));
  EXPECT_EQ(epoch, out_epoch + 1);
  EXPECT_EQ(StateOf("w1/d0"), DriveState::kUp);
  EXPECT_GT(PgsOf("w1/d0"), 0);
  // Placement depends only on the set of drives: the old map is back.
  EXPECT_EQ(Assignment(*registry_->View()->map), before);
}

TEST_F(NodeRegistryTest, OperatorCanTakeADriveOutAndBackIn) {
  RegisterNodes(4);
  uint64_t epoch = registry_->epoch();
  auto before = Assignment(*registry_->View()->map);

  ASSERT_OK_AND_ASSIGN(uint64_t out_epoch,
                       registry_->SetDriveOut("e2/d0", true));
  EXPECT_EQ(out_epoch, epoch + 1);
  EXPECT_EQ(StateOf("e2/d0"), DriveState::kOut);
  EXPECT_TRUE(registry_->View()->Find("e2/d0")->operator_out);
  EXPECT_EQ(PgsOf("e2/d0"), 0);
  ExpectEveryPgFull();
  // Heartbeats do not override the operator.
  ASSERT_OK(registry_->Heartbeat("e2", {}));
  EXPECT_EQ(StateOf("e2/d0"), DriveState::kOut);

  ASSERT_OK_AND_ASSIGN(uint64_t in_epoch,
                       registry_->SetDriveOut("e2/d0", false));
  EXPECT_EQ(in_epoch, epoch + 2);
  EXPECT_EQ(StateOf("e2/d0"), DriveState::kUp);
  EXPECT_FALSE(registry_->View()->Find("e2/d0")->operator_out);
  EXPECT_EQ(Assignment(*registry_->View()->map), before);

  EXPECT_THAT(registry_->SetDriveOut("e9/d0", true),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(NodeRegistryTest, HeartbeatFromUnknownNodeIsNotFound) {
  RegisterNodes(3);
  EXPECT_THAT(registry_->Heartbeat("w9", {}),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(NodeRegistryTest, HeartbeatUpdatesUsageButNotPlacementWeight) {
  RegisterNodes(3);
  uint64_t epoch = registry_->epoch();
  ASSERT_OK(registry_->Heartbeat("w1", {{.name = "d0",
                                         .capacity_bytes = 1,
                                         .free_bytes = 123,
                                         .chunks = 7,
                                         .logical_bytes = 456}}));
  const DriveView* d = registry_->View()->Find("w1/d0");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->free_bytes, 123u);
  EXPECT_EQ(d->chunks, 7u);
  EXPECT_EQ(d->logical_bytes, 456u);
  EXPECT_EQ(d->info.capacity_bytes, 4 * kTiB);
  EXPECT_EQ(registry_->epoch(), epoch);
}

// A restart may publish the unchanged map under a newer epoch (watchers then
// refetch once), but never under an older one.
TEST_F(NodeRegistryTest, LoadAfterRestartRestoresNodesAndMap) {
  RegisterNodes(3);
  ASSERT_OK(registry_->SetDriveOut("e3/d0", true));
  ASSERT_OK(registry_->SetDriveOut("e3/d0", false));
  uint64_t epoch = registry_->epoch();
  ASSERT_GT(epoch, 1u);
  auto before = Assignment(*registry_->View()->map);

  Reopen();
  env_.AdvanceSeconds(3600);  // the coordinator was down for an hour
  ASSERT_OK(registry_->Load());
  EXPECT_GE(registry_->epoch(), epoch);
  auto view = registry_->View();
  ASSERT_NE(view->map, nullptr);
  EXPECT_EQ(view->map->epoch(), registry_->epoch());
  EXPECT_EQ(Assignment(*view->map), before);
  ASSERT_EQ(view->drives.size(), 6u);
  for (const auto& d : view->drives) {
    EXPECT_EQ(d.info.state, DriveState::kUp) << d.info.id;  // nobody is out
  }
  EXPECT_EQ(view->Find("w2/d0")->address, MakeNode("w2", "west").address);
  EXPECT_OK(registry_->Heartbeat("w1", {}));

  // The epoch published by that Load is the floor for the next restart.
  uint64_t loaded_epoch = registry_->epoch();
  Reopen();
  ASSERT_OK(registry_->Load());
  EXPECT_GE(registry_->epoch(), loaded_epoch);
  EXPECT_EQ(Assignment(*registry_->View()->map), before);
}

TEST_F(NodeRegistryTest, LoadKeepsOperatorOutDrivesOut) {
  RegisterNodes(4);
  ASSERT_OK(registry_->SetDriveOut("w4/d0", true));
  uint64_t epoch = registry_->epoch();
  auto before = Assignment(*registry_->View()->map);

  Reopen();
  ASSERT_OK(registry_->Load());
  EXPECT_EQ(StateOf("w4/d0"), DriveState::kOut);
  EXPECT_TRUE(registry_->View()->Find("w4/d0")->operator_out);
  EXPECT_EQ(PgsOf("w4/d0"), 0);
  EXPECT_GE(registry_->epoch(), epoch);
  EXPECT_EQ(Assignment(*registry_->View()->map), before);
}

TEST_F(NodeRegistryTest, MapChangedByRestartGetsANewEpoch) {
  // w1 timed out before the restart; Load counts it as freshly heard from,
  // so it is placed again. The map differs, so the epoch must too: nodes
  // and clients that hold the old epoch would otherwise never refetch.
  RegisterNodes(4);
  PassTime(605, {"w1"});
  ASSERT_EQ(StateOf("w1/d0"), DriveState::kOut);
  uint64_t epoch = registry_->epoch();
  auto before = Assignment(*registry_->View()->map);

  Reopen();
  ASSERT_OK(registry_->Load());
  EXPECT_EQ(StateOf("w1/d0"), DriveState::kUp);
  auto view = registry_->View();
  ASSERT_NE(Assignment(*view->map), before);
  EXPECT_GT(registry_->epoch(), epoch);
  EXPECT_EQ(view->map->epoch(), registry_->epoch());
}

}  // namespace
}  // namespace drive::coordinator
