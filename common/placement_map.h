#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace drive {

// Whether a drive takes part in placement.
enum class DriveState {
  kUp,    // reachable and placed
  kDown,  // temporarily unreachable; still placed, so a short outage moves
          // nothing
  kOut,   // removed from placement; its PGs move to other drives
};

// One drive as the coordinator describes it to the placement computation.
struct DriveInfo {
  std::string id;      // cluster-unique drive id: node + "/" + drive, "w1/d0"
  std::string node;    // node name
  std::string host;    // host name; copies of one PG are on distinct hosts
  std::string region;  // e.g. "west"; must be one of the map's two regions
  std::string zone;    // e.g. "west-a"; copies spread over zones if possible
  uint64_t capacity_bytes = 0;  // placement weight; > 0 unless kOut
  DriveState state = DriveState::kUp;

  friend bool operator==(const DriveInfo&, const DriveInfo&) = default;
};

// The placement map of one epoch: for every PG, the drives that hold its
// copies, up to replicas_per_region in each of the cluster's two regions.
//
// Drives are chosen per PG and region by weighted rendezvous hashing (straw2):
// every eligible drive scores ln(u) / capacity_bytes, where u in (0, 1] comes
// from XXH3-64 over (pg, drive id), and the highest scores win subject to
// "distinct hosts, and distinct zones while there are unused zones". A drive's
// score does not depend on the other drives, so adding, removing or marking
// out one drive changes only the PGs that gain or lose that drive. The result
// depends only on the set of drives, not on their order.
//
// An immutable value; thread-safe for concurrent reads.
class PlacementMap {
 public:
  // Computes the map for `pg_count` PGs over the drives that are not kOut
  // (kDown drives stay placed). `regions` are exactly two distinct region
  // names in order; the first is region 0. Each PG gets up to
  // `replicas_per_region` drives per region on distinct hosts; a region with
  // fewer hosts yields under-replicated PGs (see UnderReplicatedPgs()).
  //
  // Returns kInvalidArgument if pg_count is 0 or above kMaxPgCount,
  // `regions` is not two distinct names, replicas_per_region < 1, a drive id
  // is empty or duplicated, a drive's region is not in `regions`, a non-out
  // drive has capacity 0 or no host, or two non-out drives on one host
  // disagree on region or zone. Returns kFailedPrecondition if a region has no
  // drive that is not kOut. Does not block; O(pg_count * drives * log).
  static absl::StatusOr<PlacementMap> Compute(std::vector<DriveInfo> drives,
                                              std::vector<std::string> regions,
                                              uint32_t pg_count, uint64_t epoch,
                                              int replicas_per_region = 3);

  uint64_t epoch() const { return epoch_; }
  uint32_t pg_count() const { return pg_count_; }
  int replicas_per_region() const { return replicas_per_region_; }

  // Drive ids holding `pg`: region 0's in rank order, then region 1's. Rank
  // order is selection order: drives on a new zone by descending score, then
  // the drives that fill remaining slots by descending score. Holds fewer than
  // 2 * replicas_per_region() ids when a region has too few hosts. `pg` must
  // be below pg_count(); the reference lives as long as the map.
  const std::vector<std::string>& DrivesOf(uint32_t pg) const;

  // The drive with `id`, including kOut drives; nullptr if unknown. The
  // pointer lives as long as the map.
  const DriveInfo* FindDrive(std::string_view id) const;

  // All drives the map was computed from, including kOut ones, sorted by id.
  const std::vector<DriveInfo>& drives() const { return drives_; }
  // The two region names; regions()[0] is region 0.
  const std::vector<std::string>& regions() const { return regions_; }

  // PGs with fewer than 2 * replicas_per_region() drives, ascending.
  std::vector<uint32_t> UnderReplicatedPgs() const;

  // PGs whose set of drives differs between `a` and `b` (rank order is
  // ignored), ascending. A PG that exists in only one of the maps counts as
  // moved. For movement statistics when a new epoch is published.
  static std::vector<uint32_t> MovedPgs(const PlacementMap& a,
                                        const PlacementMap& b);

 private:
  PlacementMap() = default;

  uint64_t epoch_ = 0;
  uint32_t pg_count_ = 0;
  int replicas_per_region_ = 0;
  std::vector<std::string> regions_;
  std::vector<DriveInfo> drives_;              // sorted by id
  std::vector<std::vector<std::string>> pgs_;  // pg -> drive ids
};

}  // namespace drive
