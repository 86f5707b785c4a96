#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/coordinator/node_registry.h"
#include "daemon/coordinator/repair_planner.h"

namespace drive::coordinator {

// How one PG stands now. The one classification behind `drive-admin status`
// (counts) and `drive-admin pgs` (per PG), so the two never disagree.
enum class PgHealthState {
  kFull,         // six members, all up, and no repair work known for the PG
  kDegraded,     // up copies in both regions, but a member is missing or
                 // down, or the last sweep left copies to make
  kOneRegion,    // up members in one region only
  kUnavailable,  // no up member at all
};

// Classifies `pg` of `view` (whose map must be set) given what the repair
// planner knows about it (kUnknown when no planner runs): the drive states
// decide first; a PG whose members are all up is still degraded while the
// planner has work for it (kNeedsWork).
PgHealthState ClassifyPg(const ClusterView& view, uint32_t pg, PgSync sync);

// PG health counts over the current map and drive states.
struct PgHealth {
  uint32_t full = 0;         // every copy on an up drive, nothing to repair
  uint32_t degraded = 0;     // copies missing, both regions still have one
  uint32_t one_region = 0;   // up copies in one region only
  uint32_t unavailable = 0;  // no up copy at all

  void Add(PgHealthState state);
};

// One PG as the operators see it.
struct PgStatus {
  uint32_t pg = 0;
  std::vector<std::string> drives;  // its members, in placement order
  PgHealthState health = PgHealthState::kFull;
  PgReport report;  // what the last sweep found (default: not swept)
};

// Every PG of one map epoch.
struct PgListing {
  uint64_t epoch = 0;
  std::vector<PgStatus> pgs;  // by PG number
};

}  // namespace drive::coordinator
