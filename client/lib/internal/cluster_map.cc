#include "client/lib/internal/cluster_map.h"

namespace drive::client::internal {

ClusterMap::ClusterMap(const drive::v1::PlacementMapInfo& info)
    : epoch_(info.epoch()),
      server_unix_ms_(info.server_unix_ms()),
      pg_count_(info.pg_count()),
      replicas_per_region_(info.replicas_per_region() > 0
                               ? static_cast<int>(info.replicas_per_region())
                               : 3) {
  regions_.assign(info.regions().begin(), info.regions().end());
  for (const auto& d : info.drives()) {
    by_id_[d.id()] = drives_.size();
    drives_.push_back(
        {d.id(), d.node(), d.address(), d.name(), d.region(), d.state()});
  }
  for (const auto& pg : info.pgs()) {
    pgs_.emplace_back(pg.drives().begin(), pg.drives().end());
  }
}

std::vector<const MapDrive*> ClusterMap::DrivesOf(uint32_t pg) const {
  std::vector<const MapDrive*> out;
  if (pg >= pgs_.size()) return out;
  for (uint32_t i : pgs_[pg]) {
    if (i < drives_.size()) out.push_back(&drives_[i]);
  }
  return out;
}

const MapDrive* ClusterMap::Find(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &drives_[it->second];
}

}  // namespace drive::client::internal
