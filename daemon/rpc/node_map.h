#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/placement_map.h"
#include "daemon/rpc/peer_fetcher.h"
#include "daemon/scrubber/scrubber.h"

namespace drive::rpc {

// The placement map as this node last fetched it from the coordinator
// (CoordinatorLink refreshes it). Thread-safe.
class NodeMapCache {
 public:
  using Fetcher =
      std::function<absl::StatusOr<std::shared_ptr<const PlacementMap>>()>;

  void Update(std::shared_ptr<const PlacementMap> map);
  // How Refresh gets the map from the coordinator (a blocking call with a
  // deadline); set by whoever keeps the cache fresh, cleared (nullptr)
  // before it goes. Waits for a Refresh in progress.
  void SetFetcher(Fetcher fetcher);
  // Fetches the map now, unless Refresh fetched it less than
  // `min_interval` ago (then OK at once). Blocks for one call; callers
  // meanwhile wait and share its result. kUnavailable without a fetcher
  // or when the fetch fails.
  absl::Status Refresh(absl::Duration min_interval);
  std::shared_ptr<const PlacementMap> Get() const;
  uint64_t epoch() const;

  // Whether a PutChunk may be forwarded to drive `drive` at HOST:PORT
  // `address` (and, if not empty, cluster-wide id `drive_id`): OK when the
  // map lists such a drive, whatever its state. kPermissionDenied when it
  // does not (a node dials only cluster members, never an address a client
  // made up); kUnavailable before the first map arrives.
  absl::Status CheckForwardTarget(std::string_view address,
                                  std::string_view drive,
                                  std::string_view drive_id) const;

  // The drives of the chunk's PG that are not on node `self`, in
  // RankSources order for `region`. Empty before the first map arrives.
  std::vector<ChunkSourceRef> SourcesFor(std::string_view account,
                                         const ChunkId& id,
                                         const std::string& self,
                                         const std::string& region) const;

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const PlacementMap> map_ ABSL_GUARDED_BY(mu_);
  // Held across a fetch: one at a time, and SetFetcher waits for it.
  absl::Mutex fetch_mu_;
  Fetcher fetcher_ ABSL_GUARDED_BY(fetch_mu_);
  absl::Time last_fetch_ ABSL_GUARDED_BY(fetch_mu_) = absl::InfinitePast();
};

// The scrubber's repair source on a node: the chunk's PG peers per the
// cached map, read through a PeerFetcher. Thread-safe.
class MapRepairSource final : public scrubber::ChunkRepairSource {
 public:
  MapRepairSource(const NodeMapCache* map, PeerFetcher* fetcher,
                  std::string self, std::string region)
      : map_(map),
        fetcher_(fetcher),
        self_(std::move(self)),
        region_(std::move(region)) {}
  absl::StatusOr<std::string> FetchGoodCopy(std::string_view account,
                                            const ChunkId& id) override;

 private:
  const NodeMapCache* map_;
  PeerFetcher* fetcher_;
  std::string self_;
  std::string region_;
};

}  // namespace drive::rpc
