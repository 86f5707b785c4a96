#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/chunk_id.h"
#include "drive/v1/node.grpc.pb.h"
#include "grpcpp/client_context.h"

namespace drive {

// Reads a whole chunk with NodeService.GetChunk on `call` (which carries the
// caller's credential and deadline). Cancels and fails with kDataLoss when
// the node announces or sends more than kMaxChunkBytes. Does not verify the
// bytes against the id: callers do. Blocks.
absl::StatusOr<std::string> ReadWholeChunk(drive::v1::NodeService::Stub* stub,
                                           grpc::ClientContext* call,
                                           std::string_view drive,
                                           std::string_view account,
                                           const ChunkId& id);

}  // namespace drive
