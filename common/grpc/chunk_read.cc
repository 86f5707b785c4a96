#include "common/grpc/chunk_read.h"

#include "common/grpc/status_convert.h"

namespace drive {

absl::StatusOr<std::string> ReadWholeChunk(drive::v1::NodeService::Stub* stub,
                                           grpc::ClientContext* call,
                                           std::string_view drive,
                                           std::string_view account,
                                           const ChunkId& id) {
  drive::v1::GetChunkRequest req;
  req.set_drive(std::string(drive));
  req.mutable_address()->set_account(std::string(account));
  req.mutable_address()->set_chunk_id(std::string(id.bytes()));
  auto reader = stub->GetChunk(call, req);
  std::string out;
  bool oversize = false;
  drive::v1::GetChunkResponse resp;
  while (reader->Read(&resp)) {
    if (resp.chunk_length() > kMaxChunkBytes ||
        out.size() + resp.data().size() > kMaxChunkBytes) {
      oversize = true;
      call->TryCancel();
      break;
    }
    if (resp.chunk_length() != 0) out.reserve(resp.chunk_length());
    out.append(resp.data());
  }
  grpc::Status s = reader->Finish();
  if (oversize) {
    return absl::DataLossError("node sent more than a chunk's bytes for " +
                               id.ToHex());
  }
  if (!s.ok()) return FromGrpcStatus(s);
  return out;
}

}  // namespace drive
