#include "client/lib/internal/chunk_transport.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/grpc/chunk_read.h"
#include "common/grpc/metadata.h"
#include "common/grpc/status_convert.h"
#include "common/status_macros.h"
#include "grpcpp/grpcpp.h"

namespace drive::client::internal {

namespace v1 = drive::v1;

namespace {

constexpr size_t kMessageBytes = 1 << 20;

// kInvalidArgument (make no call) when the token cannot be metadata.
absl::Status Prepare(const ChunkCallContext& ctx, grpc::ClientContext* call) {
  DRIVE_RETURN_IF_ERROR(AddMetadata(call, kDataTokenKey, ctx.data_token));
  call->set_deadline(std::chrono::system_clock::now() +
                     absl::ToChronoMilliseconds(ctx.timeout));
  return absl::OkStatus();
}

void FillTarget(const DriveInfo& d, v1::ForwardTarget* t) {
  t->set_drive_id(d.id);
  t->set_address(d.address);
  t->set_drive(d.name);
}

}  // namespace

std::map<std::string, absl::Status> GrpcChunkTransport::Write(
    const ChunkId& id, std::string_view data,
    const std::vector<const DriveInfo*>& targets,
    const std::string& writer_region) {
  const ChunkCallContext& ctx = ctx_;
  std::map<std::string, absl::Status> result;
  if (targets.empty()) return result;
  std::vector<const DriveInfo*> local, remote;
  for (const DriveInfo* d : targets) {
    (d->region == writer_region ? local : remote).push_back(d);
    result[d->id] = absl::UnavailableError("no acknowledgement from " + d->id);
  }
  const DriveInfo* head = !local.empty() ? local.front() : remote.front();

  v1::PutChunkRequest req;
  v1::PutChunkHeader* h = req.mutable_header();
  h->set_drive(head->name);
  h->set_drive_id(head->id);
  h->mutable_address()->set_account(ctx.account);
  h->mutable_address()->set_chunk_id(std::string(id.bytes()));
  h->set_length(data.size());
  if (!local.empty()) {
    for (size_t i = 1; i < local.size(); ++i)
      FillTarget(*local[i], h->add_forward());
    if (!remote.empty()) {
      v1::ForwardTarget* bridge = h->add_forward();
      FillTarget(*remote[0], bridge);
      for (size_t i = 1; i < remote.size(); ++i)
        FillTarget(*remote[i], bridge->add_forward());
    }
  } else {
    for (size_t i = 1; i < remote.size(); ++i)
      FillTarget(*remote[i], h->add_forward());
  }

  grpc::ClientContext call;
  if (absl::Status prepared = Prepare(ctx, &call); !prepared.ok()) {
    for (auto& [drive, st] : result) st = prepared;
    return result;
  }
  v1::PutChunkResponse resp;
  auto writer = ctx.channels->StubFor(head->address)->PutChunk(&call, &resp);
  bool ok = writer->Write(req);
  for (size_t off = 0; ok && off < data.size(); off += kMessageBytes) {
    req.Clear();
    req.set_data(data.data() + off, std::min(kMessageBytes, data.size() - off));
    ok = writer->Write(req);
  }
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  if (!s.ok()) {
    // The stream to the head failed: the head is the one to blame; the
    // others were not written through it and are worth another pass.
    absl::Status err = FromGrpcStatus(s);
    for (auto& [drive, st] : result) {
      st = drive == head->id
               ? err
               : absl::AbortedError(absl::StrCat("not written: head ", head->id,
                                                 " failed: ", err.message()));
    }
    return result;
  }
  for (const auto& ack : resp.replicas()) {
    auto it = result.find(ack.drive_id());
    if (it == result.end()) continue;
    // An ack without a status (a node of an older build) proves nothing.
    it->second = ack.has_status()
                     ? StatusFromProto(ack.status())
                     : absl::UnknownError("acknowledgement without a status");
  }
  return result;
}

absl::StatusOr<std::string> GrpcChunkTransport::Read(const DriveInfo& drive,
                                                     const ChunkId& id) {
  grpc::ClientContext call;
  DRIVE_RETURN_IF_ERROR(Prepare(ctx_, &call));
  return ReadWholeChunk(ctx_.channels->StubFor(drive.address).get(), &call,
                        drive.name, ctx_.account, id);
}

absl::StatusOr<std::vector<bool>> GrpcChunkTransport::Has(
    const DriveInfo& drive, const std::vector<ChunkId>& ids) {
  const ChunkCallContext& ctx = ctx_;
  grpc::ClientContext call;
  DRIVE_RETURN_IF_ERROR(Prepare(ctx, &call));
  v1::HasChunksRequest req;
  req.set_drive(drive.name);
  req.set_account(ctx.account);
  for (const auto& id : ids) req.add_chunk_ids(std::string(id.bytes()));
  v1::HasChunksResponse resp;
  grpc::Status s =
      ctx.channels->StubFor(drive.address)->HasChunks(&call, req, &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  if (static_cast<size_t>(resp.present_size()) != ids.size()) {
    return absl::InternalError("HasChunks answered the wrong number of ids");
  }
  return std::vector<bool>(resp.present().begin(), resp.present().end());
}

}  // namespace drive::client::internal
