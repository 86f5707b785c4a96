#include "daemon/rpc/peer_fetcher.h"

#include "common/grpc/chunk_read.h"
#include "common/grpc/metadata.h"

namespace drive::rpc {

PeerFetcher::PeerFetcher(PeerChannels* peers, std::string cluster_token,
                         absl::Duration timeout)
    : peers_(peers),
      cluster_token_(std::move(cluster_token)),
      timeout_(timeout) {}

absl::StatusOr<std::string> PeerFetcher::ReadCopy(
    std::string_view account, const ChunkId& id,
    const repair::ChunkSource& source) {
  grpc::ClientContext call;
  call.AddMetadata(kClusterTokenKey, cluster_token_);
  call.set_deadline(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(timeout_));
  return ReadWholeChunk(peers_->StubFor(source.address).get(), &call,
                        source.drive, account, id);
}

}  // namespace drive::rpc
