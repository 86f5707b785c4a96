#include "daemon/rpc/peer_fetcher.h"

#include "absl/strings/str_cat.h"
#include "common/grpc/chunk_read.h"
#include "common/grpc/metadata.h"
#include "spdlog/spdlog.h"

namespace drive::rpc {

PeerFetcher::PeerFetcher(PeerChannels* peers, std::string cluster_token,
                         absl::Duration timeout)
    : peers_(peers),
      cluster_token_(std::move(cluster_token)),
      timeout_(timeout) {}

absl::StatusOr<std::string> PeerFetcher::Fetch(
    std::string_view account, const ChunkId& id,
    const std::vector<ChunkSourceRef>& sources) {
  absl::Status last =
      absl::NotFoundError(absl::StrCat("no source for chunk ", id.ToHex()));
  bool all_corrupt = !sources.empty();
  for (const auto& src : sources) {
    grpc::ClientContext call;
    call.AddMetadata(kClusterTokenKey, cluster_token_);
    call.set_deadline(std::chrono::system_clock::now() +
                      absl::ToChronoMilliseconds(timeout_));
    auto data = ReadWholeChunk(peers_->StubFor(src.address).get(), &call,
                               src.drive, account, id);
    if (data.ok() && ChunkId::Of(*data) != id) {
      data = absl::DataLossError("bytes do not hash to the chunk id");
    }
    if (data.ok()) return data;
    last =
        absl::Status(data.status().code(),
                     absl::StrCat(src.drive_id, ": ", data.status().message()));
    all_corrupt = all_corrupt && absl::IsDataLoss(data.status());
    spdlog::debug("event=peer_fetch_failed chunk={} source={} error=\"{}\"",
                  id.ToHex(), src.drive_id, data.status().ToString());
  }
  if (all_corrupt) {
    return absl::DataLossError(
        absl::StrCat("every copy of chunk ", id.ToHex(),
                     " reached was corrupt: ", last.message()));
  }
  return last;
}

}  // namespace drive::rpc
