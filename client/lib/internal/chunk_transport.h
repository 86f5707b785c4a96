#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/chunk_id.h"
#include "common/grpc/peer_channels.h"
#include "common/placement_map.h"

namespace drive::client::internal {

// Credentials and limits every chunk call carries.
struct ChunkCallContext {
  PeerChannels* channels;
  std::string data_token;  // x-drive-data-token for the account
  std::string account;
  absl::Duration timeout;
};

// How the replication logic reaches drives: the seam that lets unit tests
// drop, fail or corrupt copies without processes (tests/unit/client/).
class ChunkTransport {
 public:
  virtual ~ChunkTransport() = default;

  // Writes one chunk to `targets` in a single pass: the client streams it to
  // the first target in `writer_region`, which forwards to the other targets
  // of its region and to one target of the other region, which forwards to
  // the rest there (each byte crosses between regions once). Returns the
  // status of every target's copy by drive id; kAborted marks a copy that
  // was not attempted because the head failed (try it again via another).
  virtual std::map<std::string, absl::Status> Write(
      const ChunkId& id, std::string_view data,
      const std::vector<const DriveInfo*>& targets,
      const std::string& writer_region) = 0;
  // The whole chunk as one drive returns it; the caller verifies it.
  virtual absl::StatusOr<std::string> Read(const DriveInfo& drive,
                                           const ChunkId& id) = 0;
  // Which of `ids` one drive holds (one batched call).
  virtual absl::StatusOr<std::vector<bool>> Has(
      const DriveInfo& drive, const std::vector<ChunkId>& ids) = 0;
};

// ChunkTransport over NodeService gRPC calls with a data token.
class GrpcChunkTransport final : public ChunkTransport {
 public:
  explicit GrpcChunkTransport(ChunkCallContext ctx) : ctx_(std::move(ctx)) {}
  std::map<std::string, absl::Status> Write(
      const ChunkId& id, std::string_view data,
      const std::vector<const DriveInfo*>& targets,
      const std::string& writer_region) override;
  absl::StatusOr<std::string> Read(const DriveInfo& drive,
                                   const ChunkId& id) override;
  absl::StatusOr<std::vector<bool>> Has(
      const DriveInfo& drive, const std::vector<ChunkId>& ids) override;

 private:
  ChunkCallContext ctx_;
};

}  // namespace drive::client::internal
