#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/chunk_id.h"
#include "common/grpc/peer_channels.h"
#include "daemon/repair/chunk_fetcher.h"

namespace drive::rpc {

// The map's name for a repair source (NodeMapCache::SourcesFor).
using ChunkSourceRef = repair::ChunkSource;

// Reads chunk copies from other nodes with the cluster token, for repair
// (scrub findings, anti-entropy pulls); ChunkFetcher::Fetch verifies them.
// Thread-safe; `peers` is not owned and must outlive it. Calls block.
class PeerFetcher final : public repair::ChunkFetcher {
 public:
  PeerFetcher(PeerChannels* peers, std::string cluster_token,
              absl::Duration timeout = absl::Seconds(30));

  // One GetChunk of the whole chunk from `source`, with `timeout`.
  absl::StatusOr<std::string> ReadCopy(
      std::string_view account, const ChunkId& id,
      const repair::ChunkSource& source) override;

 private:
  PeerChannels* peers_;
  std::string cluster_token_;
  absl::Duration timeout_;
};

}  // namespace drive::rpc
