#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/chunk_id.h"
#include "common/grpc/peer_channels.h"

namespace drive::rpc {

// A drive a chunk can be read from.
struct ChunkSourceRef {
  std::string address;   // node HOST:PORT
  std::string drive;     // drive name on that node
  std::string drive_id;  // "node/drive", for logs
};

// Reads verified chunk copies from other nodes with the cluster token, for
// repair (scrub findings, anti-entropy pulls). Thread-safe; `peers` is not
// owned and must outlive it. Calls block.
class PeerFetcher {
 public:
  PeerFetcher(PeerChannels* peers, std::string cluster_token,
              absl::Duration timeout = absl::Seconds(30));

  // The bytes of the first source whose copy hashes to `id`, trying them in
  // order. Errors: kDataLoss when every copy reached was corrupt, else the
  // last source's error (kNotFound, kUnavailable, ...); kNotFound when
  // `sources` is empty.
  absl::StatusOr<std::string> Fetch(std::string_view account, const ChunkId& id,
                                    const std::vector<ChunkSourceRef>& sources);

 private:
  PeerChannels* peers_;
  std::string cluster_token_;
  absl::Duration timeout_;
};

}  // namespace drive::rpc
