// The one read order of the placement map's drives (RankSources), the
// drive state names, and the reader's view of a received map.

#include <optional>
#include <string>
#include <vector>

#include "common/placement_map.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace drive {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr DriveState kAllStates[] = {DriveState::kUp, DriveState::kDown,
                                     DriveState::kOut, DriveState::kDraining,
                                     DriveState::kFailed};

DriveInfo Drive(std::string id, std::string region, DriveState state) {
  DriveInfo d;
  d.node = id.substr(0, id.find('/'));
  d.id = std::move(id);
  d.region = std::move(region);
  d.state = state;
  return d;
}

std::vector<std::string> Ids(const std::vector<const DriveInfo*>& drives) {
  std::vector<std::string> out;
  for (const DriveInfo* d : drives) out.push_back(d->id);
  return out;
}

std::vector<const DriveInfo*> Pointers(const std::vector<DriveInfo>& drives) {
  std::vector<const DriveInfo*> out;
  for (const DriveInfo& d : drives) out.push_back(&d);
  return out;
}

TEST(RankSourcesTest, UpThenDrainingThenDownFailedAndOutEachLocalFirst) {
  const std::vector<DriveInfo> drives = {
      Drive("w1/d0", "west", DriveState::kDown),
      Drive("e1/d0", "east", DriveState::kDraining),
      Drive("e2/d0", "east", DriveState::kUp),
      Drive("w2/d0", "west", DriveState::kFailed),
      Drive("e3/d0", "east", DriveState::kOut),
      Drive("w3/d0", "west", DriveState::kDraining),
      Drive("w4/d0", "west", DriveState::kUp),
  };
  EXPECT_THAT(Ids(RankSources(Pointers(drives), "west")),
              ElementsAre("w4/d0", "e2/d0",  // up
                          "w3/d0", "e1/d0",  // draining
                          "w1/d0", "w2/d0", "e3/d0"));
  EXPECT_THAT(Ids(RankSources(Pointers(drives), "east")),
              ElementsAre("e2/d0", "w4/d0", "e1/d0", "w3/d0", "e3/d0", "w1/d0",
                          "w2/d0"));
}

TEST(RankSourcesTest, DrainingComesAfterEveryUpDriveEvenARemoteOne) {
  const std::vector<DriveInfo> drives = {
      Drive("w1/d0", "west", DriveState::kDraining),
      Drive("e1/d0", "east", DriveState::kUp),
  };
  EXPECT_THAT(Ids(RankSources(Pointers(drives), "west")),
              ElementsAre("e1/d0", "w1/d0"));
}

TEST(RankSourcesTest, KeepsInputOrderWithinAGroupAndDropsNothing) {
  const std::vector<DriveInfo> drives = {
      Drive("w3/d0", "west", DriveState::kUp),
      Drive("w1/d0", "west", DriveState::kUp),
      Drive("w2/d0", "west", DriveState::kUp),
  };
  EXPECT_THAT(Ids(RankSources(Pointers(drives), "west")),
              ElementsAre("w3/d0", "w1/d0", "w2/d0"));
  // A region no drive is in: only the state groups order them.
  EXPECT_THAT(Ids(RankSources(Pointers(drives), "")),
              ElementsAre("w3/d0", "w1/d0", "w2/d0"));
  EXPECT_THAT(RankSources({}, "west"), IsEmpty());
}

TEST(DriveStateTest, NamesRoundTripAndUnknownNamesAreNullopt) {
  for (DriveState s : kAllStates) {
    EXPECT_EQ(DriveStateFromName(DriveStateName(s)), s) << DriveStateName(s);
  }
  EXPECT_EQ(DriveStateName(DriveState::kDraining), std::string("draining"));
  EXPECT_EQ(DriveStateName(DriveState::kFailed), std::string("failed"));
  EXPECT_EQ(DriveStateFromName("Up"), std::nullopt);
  EXPECT_EQ(DriveStateFromName(""), std::nullopt);
  EXPECT_EQ(DriveStateFromName("retired"), std::nullopt);
}

TEST(DriveStateTest, OnlyUpAndDownDrivesArePlaced) {
  std::vector<DriveState> placed;
  for (DriveState s : kAllStates) {
    if (IsPlaced(s)) placed.push_back(s);
  }
  EXPECT_THAT(placed, ElementsAre(DriveState::kUp, DriveState::kDown));
}

TEST(PlacementMapFromPartsTest, PgDrivesSkipsUnknownIdsAndOutOfRangePgs) {
  PlacementMap map = PlacementMap::FromParts(
      /*epoch=*/7, /*replicas_per_region=*/1, {"west", "east"},
      {Drive("w1/d0", "west", DriveState::kUp),
       Drive("e1/d0", "east", DriveState::kDown),
       Drive("w1/d0", "west", DriveState::kFailed)},  // listed twice
      {{"e1/d0", "gone/d0", "w1/d0"}, {}});
  EXPECT_EQ(map.epoch(), 7u);
  EXPECT_EQ(map.pg_count(), 2u);
  EXPECT_EQ(map.replicas_per_region(), 1);
  EXPECT_THAT(Ids(map.PgDrives(0)), ElementsAre("e1/d0", "w1/d0"));
  EXPECT_THAT(map.DrivesOf(0), ElementsAre("e1/d0", "gone/d0", "w1/d0"));
  EXPECT_THAT(map.PgDrives(1), IsEmpty());
  EXPECT_THAT(map.PgDrives(2), IsEmpty());
  ASSERT_EQ(map.drives().size(), 2u);
  // The first of the two w1/d0 entries is kept.
  EXPECT_EQ(map.FindDrive("w1/d0")->state, DriveState::kUp);
}

}  // namespace
}  // namespace drive
