#include "common/placement_map.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/placement_group.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace drive {
namespace {

using ::drive::testing::StatusIs;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

constexpr uint64_t kTiB = uint64_t{1} << 40;
std::vector<std::string> Regions() { return {"west", "east"}; }

// Appends `hosts` hosts with `drives_per_host` drives each to `drives`. Hosts
// are named <prefix><n> from 1 and are dealt round-robin into `zones` zones
// "<region>-a", "<region>-b", ...; a host's node has the host's name.
void AddRegion(std::vector<DriveInfo>& drives, const std::string& region,
               const std::string& prefix, int hosts, int drives_per_host,
               int zones) {
  for (int h = 0; h < hosts; ++h) {
    const std::string host = absl::StrCat(prefix, h + 1);
    const std::string zone = absl::StrCat(
        region, "-", std::string(1, static_cast<char>('a' + h % zones)));
    for (int d = 0; d < drives_per_host; ++d) {
      drives.push_back({.id = absl::StrCat(host, "/d", d),
                        .node = host,
                        .host = host,
                        .region = region,
                        .zone = zone,
                        .capacity_bytes = 4 * kTiB,
                        .state = DriveState::kUp});
    }
  }
}

// Two regions of `hosts` hosts each.
std::vector<DriveInfo> Topology(int hosts, int drives_per_host, int west_zones,
                                int east_zones) {
  std::vector<DriveInfo> drives;
  AddRegion(drives, "west", "w", hosts, drives_per_host, west_zones);
  AddRegion(drives, "east", "e", hosts, drives_per_host, east_zones);
  return drives;
}

// The 60-drive cluster: 10 hosts × 3 drives per region, west over two zones,
// east over three (of 4, 3 and 3 hosts).
std::vector<DriveInfo> SixtyDrives() { return Topology(10, 3, 2, 3); }

// 60 drives in zones of equal size (two per region). Every zone gets about
// the same number of copies whatever its size, so drives in smaller zones
// hold more PGs; uneven zones would blur the weight and balance checks.
std::vector<DriveInfo> SixtyDrivesInEvenZones() {
  return Topology(10, 3, 2, 2);
}

// A drive's PG count is binomial: at 1024 PGs its standard deviation is ~10%
// of the mean, so statistical checks use more PGs to keep their bounds at
// ~6 standard deviations instead of ~3.
constexpr uint32_t kStatsPgCount = 4096;

PlacementMap MustCompute(std::vector<DriveInfo> drives,
                         uint32_t pg_count = kDefaultPgCount) {
  absl::StatusOr<PlacementMap> map = PlacementMap::Compute(
      std::move(drives), Regions(), pg_count, /*epoch=*/1);
  EXPECT_OK(map);
  return std::move(map).value();
}

void SetState(std::vector<DriveInfo>& drives, const std::string& id,
              DriveState state) {
  for (DriveInfo& d : drives) {
    if (d.id == id) d.state = state;
  }
}

std::vector<uint32_t> PgsHolding(const PlacementMap& map,
                                 const std::string& id) {
  std::vector<uint32_t> out;
  for (uint32_t pg = 0; pg < map.pg_count(); ++pg) {
    const std::vector<std::string>& ids = map.DrivesOf(pg);
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) out.push_back(pg);
  }
  return out;
}

std::map<std::string, int> PgCountPerDrive(const PlacementMap& map) {
  std::map<std::string, int> counts;
  for (const DriveInfo& d : map.drives()) counts[d.id] = 0;
  for (uint32_t pg = 0; pg < map.pg_count(); ++pg) {
    for (const std::string& id : map.DrivesOf(pg)) ++counts[id];
  }
  return counts;
}

// Every PG has three drives per region, region 0 first, on distinct hosts,
// over as many zones as the region allows (at most three).
void ExpectFullSpread(const PlacementMap& map) {
  std::map<std::string, std::set<std::string>> zones_of_region;
  for (const DriveInfo& d : map.drives()) {
    zones_of_region[d.region].insert(d.zone);
  }
  for (uint32_t pg = 0; pg < map.pg_count(); ++pg) {
    SCOPED_TRACE(absl::StrCat("pg ", pg));
    const std::vector<std::string>& ids = map.DrivesOf(pg);
    ASSERT_EQ(ids.size(), 6u);
    std::set<std::string> hosts;
    for (int r = 0; r < 2; ++r) {
      const std::string& region = map.regions()[r];
      std::set<std::string> zones;
      for (int i = 3 * r; i < 3 * r + 3; ++i) {
        const DriveInfo* d = map.FindDrive(ids[i]);
        ASSERT_NE(d, nullptr);
        EXPECT_EQ(d->region, region);
        hosts.insert(d->host);
        zones.insert(d->zone);
      }
      EXPECT_EQ(zones.size(),
                std::min<size_t>(3, zones_of_region[region].size()));
    }
    EXPECT_EQ(hosts.size(), 6u);
  }
  EXPECT_THAT(map.UnderReplicatedPgs(), IsEmpty());
}

TEST(PlacementMapTest, SixDrivesGiveEveryPgThreeDrivesPerRegion) {
  PlacementMap map = MustCompute(Topology(3, 1, 3, 3));
  EXPECT_EQ(map.pg_count(), kDefaultPgCount);
  EXPECT_EQ(map.epoch(), 1u);
  ExpectFullSpread(map);
}

TEST(PlacementMapTest, TwelveDrivesGiveEveryPgThreeDistinctHostsPerRegion) {
  ExpectFullSpread(MustCompute(Topology(3, 2, 3, 3)));
}

TEST(PlacementMapTest, SixtyDrivesSpreadEveryPgOverHostsAndZones) {
  ExpectFullSpread(MustCompute(SixtyDrives()));
}

TEST(PlacementMapTest, MarkingADriveOutMovesOnlyThePgsThatHeldIt) {
  std::vector<DriveInfo> drives = SixtyDrives();
  PlacementMap before = MustCompute(drives);
  SetState(drives, "w4/d1", DriveState::kOut);
  PlacementMap after = MustCompute(drives);

  std::vector<uint32_t> held = PgsHolding(before, "w4/d1");
  EXPECT_FALSE(held.empty());
  EXPECT_THAT(PlacementMap::MovedPgs(before, after), ElementsAreArray(held));
  EXPECT_THAT(PgsHolding(after, "w4/d1"), IsEmpty());
  ExpectFullSpread(after);
}

TEST(PlacementMapTest, RemovingADriveEqualsMarkingItOut) {
  std::vector<DriveInfo> drives = SixtyDrives();
  SetState(drives, "e7/d2", DriveState::kOut);
  PlacementMap out = MustCompute(drives);
  std::erase_if(drives, [](const DriveInfo& d) { return d.id == "e7/d2"; });
  PlacementMap removed = MustCompute(drives);

  EXPECT_THAT(PlacementMap::MovedPgs(out, removed), IsEmpty());
  EXPECT_NE(out.FindDrive("e7/d2"), nullptr);
  EXPECT_EQ(removed.FindDrive("e7/d2"), nullptr);
}

TEST(PlacementMapTest, DownDriveKeepsItsPgs) {
  std::vector<DriveInfo> drives = SixtyDrives();
  PlacementMap before = MustCompute(drives);
  SetState(drives, "w2/d0", DriveState::kDown);
  PlacementMap after = MustCompute(drives);

  EXPECT_THAT(PlacementMap::MovedPgs(before, after), IsEmpty());
  EXPECT_EQ(after.FindDrive("w2/d0")->state, DriveState::kDown);
}

TEST(PlacementMapTest, DrainingAndFailedDrivesLeavePlacementLikeOutOnes) {
  std::vector<DriveInfo> drives = SixtyDrives();
  SetState(drives, "w4/d1", DriveState::kOut);
  PlacementMap out = MustCompute(drives);
  for (DriveState s : {DriveState::kDraining, DriveState::kFailed}) {
    SetState(drives, "w4/d1", s);
    PlacementMap after = MustCompute(drives);
    EXPECT_THAT(PlacementMap::MovedPgs(out, after), IsEmpty())
        << DriveStateName(s);
    EXPECT_THAT(PgsHolding(after, "w4/d1"), IsEmpty()) << DriveStateName(s);
    EXPECT_EQ(after.FindDrive("w4/d1")->state, s);
  }
}

TEST(PlacementMapTest, AddingADriveMovesOnlyThePgsItEntersAboutItsFairShare) {
  std::vector<DriveInfo> drives = SixtyDrives();
  PlacementMap before = MustCompute(drives);
  drives.push_back({.id = "w11/d0",
                    .node = "w11",
                    .host = "w11",
                    .region = "west",
                    .zone = "west-a",
                    .capacity_bytes = 4 * kTiB,
                    .state = DriveState::kUp});
  PlacementMap after = MustCompute(drives);

  std::vector<uint32_t> entered = PgsHolding(after, "w11/d0");
  EXPECT_THAT(PlacementMap::MovedPgs(before, after), ElementsAreArray(entered));
  // West now has 31 equal drives holding 3 copies of every PG.
  const double fair_share = kDefaultPgCount * 3.0 / 31;
  EXPECT_GE(entered.size(), fair_share / 2);
  EXPECT_LE(entered.size(), fair_share * 2);
  ExpectFullSpread(after);
}

TEST(PlacementMapTest, DoubleCapacityDriveHoldsAboutTwiceThePgs) {
  std::vector<DriveInfo> drives = SixtyDrivesInEvenZones();
  for (DriveInfo& d : drives) {
    if (d.id == "e5/d1") d.capacity_bytes *= 2;
  }
  PlacementMap map = MustCompute(drives, kStatsPgCount);

  std::map<std::string, int> counts = PgCountPerDrive(map);
  double others = 0;
  int n = 0;
  for (const DriveInfo& d : map.drives()) {
    if (d.region == "east" && d.id != "e5/d1") {
      others += counts[d.id];
      ++n;
    }
  }
  const double ratio = counts["e5/d1"] / (others / n);
  EXPECT_GT(ratio, 2 * 0.65);
  EXPECT_LT(ratio, 2 * 1.35);
}

TEST(PlacementMapTest, EqualDrivesHoldBalancedPgCounts) {
  PlacementMap map = MustCompute(SixtyDrivesInEvenZones(), kStatsPgCount);

  // Each region holds 3 copies of every PG over 30 drives.
  const double mean = kStatsPgCount * 3.0 / 30;
  for (const auto& [id, count] : PgCountPerDrive(map)) {
    EXPECT_GE(count, mean * 0.7) << id;
    EXPECT_LE(count, mean * 1.3) << id;
  }
}

TEST(PlacementMapTest, RegionWithTwoHostsLeavesPgsUnderReplicated) {
  std::vector<DriveInfo> drives;
  AddRegion(drives, "west", "w", 3, 2, 3);
  AddRegion(drives, "east", "e", 2, 2, 2);
  PlacementMap map = MustCompute(drives, /*pg_count=*/64);

  for (uint32_t pg = 0; pg < map.pg_count(); ++pg) {
    const std::vector<std::string>& ids = map.DrivesOf(pg);
    ASSERT_EQ(ids.size(), 5u);
    EXPECT_EQ(map.FindDrive(ids[2])->region, "west");
    EXPECT_EQ(map.FindDrive(ids[3])->region, "east");
    EXPECT_NE(map.FindDrive(ids[3])->host, map.FindDrive(ids[4])->host);
  }
  std::vector<uint32_t> all(64);
  for (uint32_t pg = 0; pg < 64; ++pg) all[pg] = pg;
  EXPECT_THAT(map.UnderReplicatedPgs(), ElementsAreArray(all));
}

TEST(PlacementMapTest, InvalidInputsAreInvalidArgument) {
  auto compute = [](std::vector<DriveInfo> drives,
                    std::vector<std::string> regions = Regions(),
                    uint32_t pg_count = 16, int replicas = 3) {
    return PlacementMap::Compute(std::move(drives), std::move(regions),
                                 pg_count, 1, replicas);
  };
  const std::vector<DriveInfo> good = Topology(3, 1, 3, 3);
  ASSERT_OK(compute(good));

  EXPECT_THAT(compute(good, Regions(), 0),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(compute(good, Regions(), kMaxPgCount + 1),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(compute(good, {"west"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(compute(good, {"west", "east", "north"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(compute(good, {"west", "west"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(compute(good, Regions(), 16, 0),
              StatusIs(absl::StatusCode::kInvalidArgument));

  std::vector<DriveInfo> dup = good;
  dup.push_back(good[0]);
  EXPECT_THAT(compute(dup), StatusIs(absl::StatusCode::kInvalidArgument));

  std::vector<DriveInfo> unknown_region = good;
  unknown_region[0].region = "north";
  EXPECT_THAT(compute(unknown_region),
              StatusIs(absl::StatusCode::kInvalidArgument));

  std::vector<DriveInfo> empty = good;
  empty[0].capacity_bytes = 0;
  EXPECT_THAT(compute(empty), StatusIs(absl::StatusCode::kInvalidArgument));
  // An out drive may have no capacity left.
  empty[0].state = DriveState::kOut;
  EXPECT_OK(compute(empty));

  std::vector<DriveInfo> split_host = good;
  split_host[1].host = split_host[0].host;
  EXPECT_THAT(compute(split_host),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PlacementMapTest, RegionWithoutPlaceableDrivesIsFailedPrecondition) {
  std::vector<DriveInfo> drives = Topology(3, 1, 3, 3);
  for (DriveInfo& d : drives) {
    if (d.region == "east") d.state = DriveState::kOut;
  }
  EXPECT_THAT(PlacementMap::Compute(drives, Regions(), 16, 1),
              StatusIs(absl::StatusCode::kFailedPrecondition));

  std::erase_if(drives, [](const DriveInfo& d) { return d.region == "east"; });
  EXPECT_THAT(PlacementMap::Compute(drives, Regions(), 16, 1),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(PlacementMapTest, ShuffledInputGivesIdenticalMap) {
  std::vector<DriveInfo> drives = SixtyDrives();
  PlacementMap expected = MustCompute(drives);

  // Rerun a failure with DRIVE_TEST_SEED=<seed from the trace>.
  const char* env_seed = std::getenv("DRIVE_TEST_SEED");
  const uint32_t seed =
      env_seed != nullptr
          ? static_cast<uint32_t>(std::strtoul(env_seed, nullptr, 10))
          : std::random_device()();
  SCOPED_TRACE(absl::StrCat("DRIVE_TEST_SEED=", seed));
  std::shuffle(drives.begin(), drives.end(), std::mt19937(seed));
  PlacementMap shuffled = MustCompute(drives);

  EXPECT_EQ(shuffled.drives(), expected.drives());
  for (uint32_t pg = 0; pg < expected.pg_count(); ++pg) {
    ASSERT_EQ(shuffled.DrivesOf(pg), expected.DrivesOf(pg)) << "pg " << pg;
  }
}

TEST(PlacementMapTest, FindDriveReturnsNullForUnknownId) {
  PlacementMap map = MustCompute(Topology(3, 1, 3, 3), /*pg_count=*/8);
  ASSERT_NE(map.FindDrive("w2/d0"), nullptr);
  EXPECT_EQ(map.FindDrive("w2/d0")->host, "w2");
  EXPECT_EQ(map.FindDrive("w9/d0"), nullptr);
  EXPECT_EQ(map.FindDrive(""), nullptr);
}

}  // namespace
}  // namespace drive
