#include "common/grpc/placement_map_convert.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace drive {

void ToProto(const DriveInfo& d, v1::DriveEntry* out) {
  out->set_id(d.id);
  out->set_node(d.node);
  out->set_address(d.address);
  out->set_name(d.name);
  out->set_region(d.region);
  out->set_zone(d.zone);
  out->set_host(d.host);
  out->set_state(DriveStateName(d.state));
  out->set_draining(d.state == DriveState::kDraining);
  out->set_capacity_bytes(d.capacity_bytes);
}

DriveInfo DriveInfoFromProto(const v1::DriveEntry& e) {
  DriveInfo d;
  d.id = e.id();
  d.node = e.node();
  d.host = e.host();
  d.region = e.region();
  d.zone = e.zone();
  d.capacity_bytes = e.capacity_bytes();
  d.state = DriveStateFromName(e.state()).value_or(DriveState::kDown);
  d.address = e.address();
  d.name = e.name();
  return d;
}

PlacementMap PlacementMapFromProto(const v1::PlacementMapInfo& info) {
  std::vector<DriveInfo> drives;
  drives.reserve(info.drives_size());
  for (const auto& e : info.drives()) drives.push_back(DriveInfoFromProto(e));
  std::vector<std::vector<std::string>> pgs(info.pg_count());
  for (size_t pg = 0;
       pg < pgs.size() && pg < static_cast<size_t>(info.pgs_size()); ++pg) {
    for (uint32_t i : info.pgs(static_cast<int>(pg)).drives()) {
      if (i < drives.size()) pgs[pg].push_back(drives[i].id);
    }
  }
  return PlacementMap::FromParts(
      info.epoch(),
      info.replicas_per_region() > 0
          ? static_cast<int>(info.replicas_per_region())
          : 3,
      {info.regions().begin(), info.regions().end()}, std::move(drives),
      std::move(pgs));
}

void ToProto(const PlacementMap& map, v1::PlacementMapInfo* out) {
  out->set_epoch(map.epoch());
  out->set_pg_count(map.pg_count());
  out->set_replicas_per_region(map.replicas_per_region());
  for (const auto& r : map.regions()) out->add_regions(r);
  std::map<std::string, uint32_t, std::less<>> index;
  for (const DriveInfo& d : map.drives()) {
    index[d.id] = static_cast<uint32_t>(out->drives_size());
    ToProto(d, out->add_drives());
  }
  for (uint32_t pg = 0; pg < map.pg_count(); ++pg) {
    auto* entry = out->add_pgs();
    for (const std::string& id : map.DrivesOf(pg)) {
      auto it = index.find(id);
      if (it != index.end()) entry->add_drives(it->second);
    }
  }
}

}  // namespace drive
