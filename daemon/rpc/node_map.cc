#include "daemon/rpc/node_map.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/placement_group.h"

namespace drive::rpc {

void NodeMapCache::Update(std::shared_ptr<const PlacementMap> map) {
  absl::MutexLock lock(&mu_);
  map_ = std::move(map);
}

void NodeMapCache::SetFetcher(Fetcher fetcher) {
  absl::MutexLock lock(&fetch_mu_);
  fetcher_ = std::move(fetcher);
}

absl::Status NodeMapCache::Refresh(absl::Duration min_interval) {
  absl::MutexLock lock(&fetch_mu_);
  if (!fetcher_) return absl::UnavailableError("no coordinator to ask");
  absl::Time now = absl::Now();
  if (now - last_fetch_ < min_interval) return absl::OkStatus();
  last_fetch_ = now;
  auto map = fetcher_();
  if (!map.ok()) return map.status();
  Update(std::move(*map));
  return absl::OkStatus();
}

std::shared_ptr<const PlacementMap> NodeMapCache::Get() const {
  absl::MutexLock lock(&mu_);
  return map_;
}

uint64_t NodeMapCache::epoch() const {
  absl::MutexLock lock(&mu_);
  return map_ ? map_->epoch() : 0;
}

absl::Status NodeMapCache::CheckForwardTarget(std::string_view address,
                                              std::string_view drive,
                                              std::string_view drive_id) const {
  auto map = Get();
  if (!map) {
    return absl::UnavailableError(
        "no placement map yet: this node forwards only to drives in it");
  }
  for (const auto& d : map->drives()) {
    if (d.address == address && d.name == drive &&
        (drive_id.empty() || d.id == drive_id)) {
      return absl::OkStatus();
    }
  }
  return absl::PermissionDeniedError(
      absl::StrCat("forward target ", std::string(drive_id), " (",
                   std::string(drive), " at ", std::string(address),
                   ") is not a drive in placement map epoch ", map->epoch()));
}

std::vector<ChunkSourceRef> NodeMapCache::SourcesFor(
    std::string_view account, const ChunkId& id, const std::string& self,
    const std::string& region) const {
  auto map = Get();
  std::vector<ChunkSourceRef> out;
  if (!map || map->pg_count() == 0) return out;
  std::vector<const DriveInfo*> peers;
  for (const DriveInfo* d : map->PgDrives(PgOf(account, id, map->pg_count()))) {
    if (d->node != self) peers.push_back(d);
  }
  for (const DriveInfo* d : RankSources(std::move(peers), region)) {
    out.push_back({d->address, d->name, d->id});
  }
  return out;
}

absl::StatusOr<std::string> MapRepairSource::FetchGoodCopy(
    std::string_view account, const ChunkId& id) {
  return fetcher_->Fetch(account, id,
                         map_->SourcesFor(account, id, self_, region_));
}

}  // namespace drive::rpc
