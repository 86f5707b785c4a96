#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace drive {

// A drive's state as the coordinator reports it: the one set of states of
// the placement map, on the wire (DriveEntry.state) and in memory. Compute()
// places kUp and kDown drives; the others hold no PG of a newly computed map.
enum class DriveState {
  kUp,        // reachable and placed
  kDown,      // temporarily unreachable; still placed, so a short outage moves
              // nothing
  kOut,       // removed from placement; its PGs move to other drives
  kDraining,  // being emptied by the operator: not placed, but its copies
              // stay valid and readable until they have moved
  kFailed,    // its node cannot open it: not placed, its data presumed lost
};

// "up", "down", "out", "draining", "failed": the wire and display name.
const char* DriveStateName(DriveState s);
// The state named `name` (as DriveStateName spells it); nullopt for a name
// this build does not know.
std::optional<DriveState> DriveStateFromName(std::string_view name);
// Whether Compute() places a drive in state `s` (kUp, kDown).
constexpr bool IsPlaced(DriveState s) {
  return s == DriveState::kUp || s == DriveState::kDown;
}

// One drive of the cluster: what the placement computation weighs, where
// readers reach it, and its state.
struct DriveInfo {
  std::string id;      // cluster-unique drive id: node + "/" + drive, "w1/d0"
  std::string node;    // node name
  std::string host;    // host name; copies of one PG are on distinct hosts
  std::string region;  // e.g. "west"; must be one of the map's two regions
  std::string zone;    // e.g. "west-a"; copies spread over zones if possible
  uint64_t capacity_bytes = 0;  // placement weight; > 0 unless not placed
  DriveState state = DriveState::kUp;
  // Where readers reach it (not used by Compute; empty on the coordinator's
  // own map): its node's NodeService HOST:PORT and its name on the node.
  // Initialized so that designated initializers may leave them out.
  std::string address = {};
  std::string name = {};

  friend bool operator==(const DriveInfo&, const DriveInfo&) = default;
};

// The order in which to try `drives` to read a chunk they hold or should
// hold: up drives, then draining drives, then the rest (down, failed, out);
// within each group the drives in `region` first, and otherwise the input
// order. Nothing is dropped: a down drive may be back by now, and trying it
// last costs only when everything else failed.
//
// A draining drive still holds valid copies (draining only moves them away),
// so it must stay readable: it may hold the only copy of a chunk whose PG
// has not been refilled yet. It comes after the up drives because it is busy
// copying its data out and is about to leave, and before down or failed
// drives because it answers.
std::vector<const DriveInfo*> RankSources(std::vector<const DriveInfo*> drives,
                                          std::string_view region);

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
  // Computes the map for `pg_count` PGs over the placed drives (kUp and
  // kDown; see IsPlaced): kDown drives stay placed. `regions` are exactly two
  // distinct region names in order; the first is region 0. Each PG gets up to
  // `replicas_per_region` drives per region on distinct hosts; a region with
  // fewer hosts yields under-replicated PGs (see UnderReplicatedPgs()).
  //
  // Returns kInvalidArgument if pg_count is 0 or above kMaxPgCount,
  // `regions` is not two distinct names, replicas_per_region < 1, a drive id
  // is empty or duplicated, a drive's region is not in `regions`, a placed
  // drive has capacity 0 or no host, or two placed drives on one host
  // disagree on region or zone. Returns kFailedPrecondition if a region has no
  // placed drive. Does not block; O(pg_count * drives * log).
  static absl::StatusOr<PlacementMap> Compute(std::vector<DriveInfo> drives,
                                              std::vector<std::string> regions,
                                              uint32_t pg_count, uint64_t epoch,
                                              int replicas_per_region = 3);

  // A map as its publisher computed it (a reader's copy of the
  // coordinator's map), taken as is: `pgs[pg]` lists the drive ids of PG
  // `pg`, region 0's first, in rank order; pg_count() is pgs.size(). Of
  // drives listed twice only the first is kept. Does not validate: a PG may
  // name a drive that `drives` lacks (PgDrives skips it).
  static PlacementMap FromParts(uint64_t epoch, int replicas_per_region,
                                std::vector<std::string> regions,
                                std::vector<DriveInfo> drives,
                                std::vector<std::vector<std::string>> pgs);

  uint64_t epoch() const { return epoch_; }
  uint32_t pg_count() const { return pg_count_; }
  int replicas_per_region() const { return replicas_per_region_; }

  // Drive ids holding `pg`: region 0's in rank order, then region 1's. Rank
  // order is selection order: drives on a new zone by descending score, then
  // the drives that fill remaining slots by descending score. Holds fewer than
  // 2 * replicas_per_region() ids when a region has too few hosts. `pg` must
  // be below pg_count(); the reference lives as long as the map.
  const std::vector<std::string>& DrivesOf(uint32_t pg) const;

  // The drives of DrivesOf(pg) that the map knows, in that order; empty if
  // `pg` is not below pg_count(). The pointers live as long as the map.
  std::vector<const DriveInfo*> PgDrives(uint32_t pg) const;

  // The drive with `id`, including unplaced drives; nullptr if unknown. The
  // pointer lives as long as the map.
  const DriveInfo* FindDrive(std::string_view id) const;

  // All drives the map was computed from, including unplaced ones, sorted by
  // id.
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
