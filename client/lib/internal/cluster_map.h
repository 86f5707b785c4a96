#pragma once

#include <map>
#include <string>
#include <vector>

#include "drive/v1/coordinator.pb.h"

namespace drive::client::internal {

// A drive as the client needs it.
struct MapDrive {
  std::string id;
  std::string node;
  std::string address;
  std::string name;
  std::string region;
  std::string state;  // up / down / out / draining
  bool up() const { return state == "up"; }
  // Serves reads: up, or being drained (its data is still there).
  bool readable() const { return state == "up" || state == "draining"; }
};

// The client's copy of the placement map. Immutable once built; shared
// between threads by shared_ptr.
class ClusterMap {
 public:
  explicit ClusterMap(const drive::v1::PlacementMapInfo& info);

  uint64_t epoch() const { return epoch_; }
  // The coordinator's clock when it sent the map, Unix ms.
  int64_t server_unix_ms() const { return server_unix_ms_; }
  uint32_t pg_count() const { return pg_count_; }
  int replicas_per_region() const { return replicas_per_region_; }
  const std::vector<std::string>& regions() const { return regions_; }
  // Drives placed for a PG, region 0's then region 1's.
  std::vector<const MapDrive*> DrivesOf(uint32_t pg) const;
  // nullptr if the map does not know the id.
  const MapDrive* Find(const std::string& id) const;

 private:
  uint64_t epoch_;
  int64_t server_unix_ms_;
  uint32_t pg_count_;
  int replicas_per_region_;
  std::vector<std::string> regions_;
  std::vector<MapDrive> drives_;
  std::map<std::string, size_t> by_id_;
  std::vector<std::vector<uint32_t>> pgs_;
};

}  // namespace drive::client::internal
