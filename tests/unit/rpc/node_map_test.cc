// The node's cached placement map: where a repair reads a chunk from, and
// which drives a PutChunk may be forwarded to.

#include "daemon/rpc/node_map.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace drive::rpc {
namespace {

using ::drive::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

DriveInfo Drive(const std::string& node, const std::string& region,
                DriveState state) {
  DriveInfo d;
  d.id = node + "/d0";
  d.node = node;
  d.region = region;
  d.state = state;
  d.address = node + ":7000";
  d.name = "d0";
  return d;
}

// One PG holding every drive, so every chunk maps to it.
std::shared_ptr<const PlacementMap> OnePgMap(std::vector<DriveInfo> drives) {
  std::vector<std::string> pg;
  for (const DriveInfo& d : drives) pg.push_back(d.id);
  return std::make_shared<const PlacementMap>(PlacementMap::FromParts(
      /*epoch=*/4, /*replicas_per_region=*/3, {"west", "east"},
      std::move(drives), {pg}));
}

std::vector<std::string> Ids(const std::vector<ChunkSourceRef>& sources) {
  std::vector<std::string> out;
  for (const ChunkSourceRef& s : sources) out.push_back(s.drive_id);
  return out;
}

TEST(NodeMapCacheTest, SourcesSkipThisNodeAndReadDrainingBeforeDown) {
  NodeMapCache cache;
  const ChunkId id = ChunkId::Of("chunk");
  EXPECT_THAT(cache.SourcesFor("acct", id, "w1", "west"), IsEmpty());

  cache.Update(OnePgMap({Drive("w1", "west", DriveState::kUp),
                         Drive("w2", "west", DriveState::kDown),
                         Drive("e1", "east", DriveState::kDraining),
                         Drive("e2", "east", DriveState::kUp),
                         Drive("w3", "west", DriveState::kUp)}));
  std::vector<ChunkSourceRef> sources =
      cache.SourcesFor("acct", id, /*self=*/"w1", /*region=*/"west");
  EXPECT_THAT(Ids(sources), ElementsAre("w3/d0", "e2/d0", "e1/d0", "w2/d0"));
  ASSERT_FALSE(sources.empty());
  EXPECT_EQ(sources[0].address, "w3:7000");
  EXPECT_EQ(sources[0].drive, "d0");
}

TEST(NodeMapCacheTest, ForwardsOnlyToDrivesInTheMap) {
  NodeMapCache cache;
  EXPECT_THAT(cache.CheckForwardTarget("w2:7000", "d0", "w2/d0"),
              StatusIs(absl::StatusCode::kUnavailable));
  cache.Update(OnePgMap({Drive("w2", "west", DriveState::kDown)}));
  EXPECT_EQ(cache.epoch(), 4u);
  EXPECT_OK(cache.CheckForwardTarget("w2:7000", "d0", "w2/d0"));
  EXPECT_OK(cache.CheckForwardTarget("w2:7000", "d0", ""));
  EXPECT_THAT(cache.CheckForwardTarget("w2:7000", "d1", ""),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(cache.CheckForwardTarget("w9:7000", "d0", "w2/d0"),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

}  // namespace
}  // namespace drive::rpc
