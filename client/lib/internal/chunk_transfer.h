#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/lib/internal/cluster_map.h"
#include "common/chunk_id.h"
#include "common/grpc/peer_channels.h"

namespace drive::client::internal {

// Credentials and limits every chunk call carries.
struct ChunkCallContext {
  PeerChannels* channels;
  std::string data_token;  // x-drive-data-token for the account
  std::string account;
  absl::Duration timeout;
};

// Writes one chunk to `targets` in a single pass: the client streams it to
// the first target in `writer_region`, which forwards to the other targets
// of its region and to one target of the other region, which forwards to
// the rest there (each byte crosses between regions once). Returns the
// status of every target's copy by drive id; a target missing from the
// node's answer counts as kUnavailable.
std::map<std::string, absl::Status> WriteChunk(
    const ChunkCallContext& ctx, const ChunkId& id, std::string_view data,
    const std::vector<const MapDrive*>& targets,
    const std::string& writer_region);

// Reads a whole chunk from one drive and verifies it against `id`:
// kDataLoss on a mismatch, else the node's error.
absl::StatusOr<std::string> ReadChunk(const ChunkCallContext& ctx,
                                      const MapDrive& drive, const ChunkId& id);

// Which of `ids` one drive holds (one batched call).
absl::StatusOr<std::vector<bool>> HasChunks(const ChunkCallContext& ctx,
                                            const MapDrive& drive,
                                            const std::vector<ChunkId>& ids);

}  // namespace drive::client::internal
