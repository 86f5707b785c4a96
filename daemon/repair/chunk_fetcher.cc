#include "daemon/repair/chunk_fetcher.h"

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace drive::repair {

absl::StatusOr<std::string> ChunkFetcher::Fetch(
    std::string_view account, const ChunkId& id,
    const std::vector<ChunkSource>& sources) {
  absl::Status last =
      absl::NotFoundError(absl::StrCat("no source for chunk ", id.ToHex()));
  bool all_corrupt = !sources.empty();
  for (const auto& src : sources) {
    auto data = ReadCopy(account, id, src);
    // The source's own check is not enough: a copy is only as good as its
    // hash here, after the bytes crossed the network.
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

}  // namespace drive::repair
