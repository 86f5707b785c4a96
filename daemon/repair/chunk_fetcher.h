#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/chunk_id.h"

namespace drive::repair {

// A drive a chunk can be read from.
struct ChunkSource {
  std::string address;   // node HOST:PORT
  std::string drive;     // drive name on that node
  std::string drive_id;  // "node/drive", for logs and error messages
};

// Reads verified copies of a chunk from other drives, for repair (PullChunks
// copies, the scrubber's good copy). Fetch holds the rule that no unverified
// byte leaves it; ReadCopy is the transport (gRPC in daemon/rpc, fakes in
// tests). Implementations are thread-safe and their calls block.
class ChunkFetcher {
 public:
  virtual ~ChunkFetcher() = default;

  // The bytes of the first source whose copy hashes to `id`, trying the
  // sources in order; a copy that does not hash to `id` counts as kDataLoss
  // for its source and the next one is tried. Errors: kDataLoss when every
  // copy reached was corrupt, else the last source's error (kNotFound,
  // kUnavailable, ...) prefixed with its drive id; kNotFound when `sources`
  // is empty.
  absl::StatusOr<std::string> Fetch(std::string_view account, const ChunkId& id,
                                    const std::vector<ChunkSource>& sources);

  // The whole stored chunk `id` of `account` as `source` returns it,
  // unverified. Any error code; kDataLoss when the source itself found the
  // copy bad.
  virtual absl::StatusOr<std::string> ReadCopy(std::string_view account,
                                               const ChunkId& id,
                                               const ChunkSource& source) = 0;
};

}  // namespace drive::repair
