// The placement map's one conversion from and to the wire.

#include "common/grpc/placement_map_convert.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace drive {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Four hosts per region, one drive each, in every state there is; the
// drives carry where readers reach them.
std::vector<DriveInfo> Drives() {
  const DriveState states[] = {DriveState::kUp, DriveState::kDown,
                               DriveState::kDraining, DriveState::kFailed};
  std::vector<DriveInfo> out;
  for (const char* region : {"west", "east"}) {
    for (int h = 0; h < 4; ++h) {
      DriveInfo d;
      d.node = absl::StrCat(std::string(1, region[0]), h + 1);
      d.id = d.node + "/d0";
      d.host = d.node + ".example";
      d.region = region;
      d.zone = absl::StrCat(region, "-", h % 2 ? "a" : "b");
      d.capacity_bytes = uint64_t{1} << (40 + h);
      d.state = states[h];
      d.address = absl::StrCat("10.0.0.", h, ":7000");
      d.name = "d0";
      out.push_back(d);
    }
  }
  out.back().state = DriveState::kOut;
  return out;
}

TEST(PlacementMapConvertTest, ComputedMapRoundTrips) {
  absl::StatusOr<PlacementMap> map = PlacementMap::Compute(
      Drives(), {"west", "east"}, /*pg_count=*/32, /*epoch=*/9,
      /*replicas_per_region=*/2);
  ASSERT_OK(map);
  v1::PlacementMapInfo info;
  ToProto(*map, &info);
  PlacementMap back = PlacementMapFromProto(info);

  EXPECT_EQ(back.epoch(), 9u);
  EXPECT_EQ(back.pg_count(), 32u);
  EXPECT_EQ(back.replicas_per_region(), 2);
  EXPECT_EQ(back.regions(), map->regions());
  EXPECT_EQ(back.drives(), map->drives());
  for (uint32_t pg = 0; pg < map->pg_count(); ++pg) {
    EXPECT_EQ(back.DrivesOf(pg), map->DrivesOf(pg)) << "pg " << pg;
  }
}

TEST(PlacementMapConvertTest, StatesAreSpelledAsOnTheWire) {
  v1::DriveEntry e;
  DriveInfo d;
  d.state = DriveState::kDraining;
  ToProto(d, &e);
  EXPECT_EQ(e.state(), "draining");
  EXPECT_TRUE(e.draining());
  d.state = DriveState::kFailed;
  ToProto(d, &e);
  EXPECT_EQ(e.state(), "failed");
  EXPECT_FALSE(e.draining());

  for (const char* name : {"up", "down", "out", "draining", "failed"}) {
    e.set_state(name);
    EXPECT_EQ(DriveStateName(DriveInfoFromProto(e).state), std::string(name));
  }
}

TEST(PlacementMapConvertTest, MalformedPartsAreToleratedAsReadersDid) {
  v1::PlacementMapInfo info;
  info.set_epoch(3);
  info.set_pg_count(3);  // one PG more than listed
  info.add_regions("west");
  info.add_regions("east");
  auto* d = info.add_drives();
  d->set_id("w1/d0");
  d->set_state("retired");  // a state this build does not know
  auto* pg = info.add_pgs();
  pg->add_drives(0);
  pg->add_drives(5);  // no such drive
  info.add_pgs();

  PlacementMap map = PlacementMapFromProto(info);
  EXPECT_EQ(map.pg_count(), 3u);
  EXPECT_EQ(map.replicas_per_region(), 3);  // 0 on the wire reads as 3
  EXPECT_THAT(map.DrivesOf(0), ElementsAre("w1/d0"));
  EXPECT_THAT(map.PgDrives(1), IsEmpty());
  EXPECT_THAT(map.PgDrives(2), IsEmpty());
  ASSERT_NE(map.FindDrive("w1/d0"), nullptr);
  EXPECT_EQ(map.FindDrive("w1/d0")->state, DriveState::kDown);

  info.set_pg_count(1);  // fewer than listed: the extra PG is dropped
  EXPECT_EQ(PlacementMapFromProto(info).pg_count(), 1u);
}

}  // namespace
}  // namespace drive
