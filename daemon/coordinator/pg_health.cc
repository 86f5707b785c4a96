#include "daemon/coordinator/pg_health.h"

#include <map>

namespace drive::coordinator {

PgHealthState ClassifyPg(const ClusterView& view, uint32_t pg, PgSync sync) {
  const PlacementMap& map = *view.map;
  const auto& drives = map.DrivesOf(pg);
  std::map<std::string, int> up;  // region -> up members
  size_t total_up = 0;
  for (const auto& id : drives) {
    const DriveView* d = view.Find(id);
    if (d && d->info.state == DriveState::kUp) {
      up[d->info.region]++;
      ++total_up;
    }
  }
  if (up.empty()) return PgHealthState::kUnavailable;
  if (up.size() == 1) return PgHealthState::kOneRegion;
  const size_t want = map.regions().size() * map.replicas_per_region();
  // Six up members are not enough: copies the planner still has to make
  // leave the PG short of six on those chunks.
  if (total_up == want && drives.size() == want && sync != PgSync::kNeedsWork) {
    return PgHealthState::kFull;
  }
  return PgHealthState::kDegraded;
}

void PgHealth::Add(PgHealthState state) {
  switch (state) {
    case PgHealthState::kFull:
      ++full;
      break;
    case PgHealthState::kDegraded:
      ++degraded;
      break;
    case PgHealthState::kOneRegion:
      ++one_region;
      break;
    case PgHealthState::kUnavailable:
      ++unavailable;
      break;
  }
}

}  // namespace drive::coordinator
