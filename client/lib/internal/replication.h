#pragma once

// The replication rules of the client, free of any transport: which drives
// get a chunk, when a write counts as written, and which copy a read trusts.
// Unit-tested with a fake ChunkTransport (tests/unit/client/).

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/lib/internal/chunk_transport.h"
#include "common/chunk_id.h"
#include "common/placement_map.h"

namespace drive::client::internal {

// Copies a write needs before it counts as written.
struct QuorumPolicy {
  std::string writer_region;  // the client's region
  int local = 2;              // copies in writer_region
  int remote = 1;             // copies in the other region
};

// A chunk being uploaded and what is known about its copies.
struct PendingChunk {
  std::string data;
  ChunkId id;
  std::vector<const DriveInfo*> placed;  // the PG's drives
  std::set<std::string> holders;         // drive ids with a durable copy
  std::set<std::string> failed;  // drive ids that refused or were unreachable
  std::string last_error;
  int writes = 0;  // write passes made (0: every copy already existed)
};

// Makes every chunk of `batch` durable on as many of its up PG drives as
// possible: one Has call per involved drive, then one forwarding write per
// chunk to the drives that lack it, retried (up to 3 passes) without the
// drives that failed; chunks of the batch are written in parallel. Fails
// with kUnavailable, naming the chunk and the last error, if any chunk
// ends below the quorum. Blocks.
absl::Status ReplicateBatch(std::vector<PendingChunk>& batch,
                            ChunkTransport& transport,
                            const QuorumPolicy& quorum,
                            const PlacementMap& map);

// Read candidates for a chunk: the drives recorded at commit, then the
// PG's current drives, each once, in RankSources order for `region`.
std::vector<const DriveInfo*> ReadCandidates(
    const std::vector<std::string>& recorded,
    const std::vector<const DriveInfo*>& placed, const PlacementMap& map,
    const std::string& region);

// Reads the chunk from the first candidate whose bytes hash to `id`.
// `report_bad(drive_id, status)` is called for each copy found corrupt
// (kDataLoss) or missing though recorded. Errors: kDataLoss when every
// copy reached was corrupt, else the last error.
absl::StatusOr<std::string> FetchVerified(
    const ChunkId& id, const std::vector<const DriveInfo*>& candidates,
    const std::set<std::string>& recorded, ChunkTransport& transport,
    const std::function<void(const std::string&, const absl::Status&)>&
        report_bad);

}  // namespace drive::client::internal
