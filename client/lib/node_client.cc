#include "drive/node_client.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/grpc/metadata.h"
#include "common/grpc/status_convert.h"
#include "common/status_macros.h"
#include "drive/v1/node.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace drive::client {

namespace v1 = drive::v1;

namespace {
constexpr size_t kMessageBytes = 1 << 20;
}  // namespace

struct NodeClient::Impl {
  NodeClientOptions options;
  std::unique_ptr<v1::NodeService::Stub> stub;

  // kInvalidArgument (make no call) when the token cannot be metadata.
  absl::Status Prepare(grpc::ClientContext* ctx) const {
    DRIVE_RETURN_IF_ERROR(
        AddMetadata(ctx, kClusterTokenKey, options.cluster_token));
    ctx->set_deadline(std::chrono::system_clock::now() +
                      absl::ToChronoMilliseconds(options.timeout));
    return absl::OkStatus();
  }
};

NodeClient::NodeClient(NodeClientOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(8 << 20);
  if (impl_->options.own_connection) {
    // Channels with identical arguments share one TCP connection.
    static std::atomic<int> counter{0};
    args.SetInt("drive.connection_id", counter++);
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  }
  impl_->stub = v1::NodeService::NewStub(grpc::CreateCustomChannel(
      impl_->options.address, grpc::InsecureChannelCredentials(), args));
}

NodeClient::~NodeClient() = default;

absl::StatusOr<PutChunkResult> NodeClient::PutChunk(std::string_view drive,
                                                    std::string_view account,
                                                    const ChunkId& id,
                                                    std::string_view data) {
  grpc::ClientContext ctx;
  DRIVE_RETURN_IF_ERROR(impl_->Prepare(&ctx));
  v1::PutChunkResponse resp;
  auto writer = impl_->stub->PutChunk(&ctx, &resp);
  v1::PutChunkRequest req;
  auto* h = req.mutable_header();
  h->set_drive(std::string(drive));
  h->mutable_address()->set_account(std::string(account));
  h->mutable_address()->set_chunk_id(std::string(id.bytes()));
  h->set_length(data.size());
  bool ok = writer->Write(req);
  for (size_t off = 0; ok && off < data.size(); off += kMessageBytes) {
    req.set_data(data.data() + off, std::min(kMessageBytes, data.size() - off));
    ok = writer->Write(req);
  }
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  if (!s.ok()) return FromGrpcStatus(s);
  // The call succeeds when the stream was well-formed; the first ack is
  // this node's own copy.
  if (resp.replicas_size() > 0) {
    // An ack without a status (a node of an older build) proves nothing.
    if (!resp.replicas(0).has_status())
      return absl::UnknownError("acknowledgement without a status");
    DRIVE_RETURN_IF_ERROR(StatusFromProto(resp.replicas(0).status()));
  }
  return PutChunkResult{resp.already_present(), resp.stored_bytes()};
}

absl::StatusOr<std::string> NodeClient::GetChunk(std::string_view drive,
                                                 std::string_view account,
                                                 const ChunkId& id,
                                                 uint64_t offset,
                                                 uint64_t length) {
  grpc::ClientContext ctx;
  DRIVE_RETURN_IF_ERROR(impl_->Prepare(&ctx));
  v1::GetChunkRequest req;
  req.set_drive(std::string(drive));
  req.mutable_address()->set_account(std::string(account));
  req.mutable_address()->set_chunk_id(std::string(id.bytes()));
  req.set_offset(offset);
  req.set_length(length);
  auto reader = impl_->stub->GetChunk(&ctx, req);
  std::string out;
  v1::GetChunkResponse resp;
  while (reader->Read(&resp)) {
    if (resp.chunk_length() != 0) out.reserve(resp.chunk_length());
    out.append(resp.data());
  }
  grpc::Status s = reader->Finish();
  if (!s.ok()) return FromGrpcStatus(s);
  return out;
}

absl::StatusOr<std::vector<bool>> NodeClient::HasChunks(
    std::string_view drive, std::string_view account,
    const std::vector<ChunkId>& ids) {
  grpc::ClientContext ctx;
  DRIVE_RETURN_IF_ERROR(impl_->Prepare(&ctx));
  v1::HasChunksRequest req;
  req.set_drive(std::string(drive));
  req.set_account(std::string(account));
  for (const auto& id : ids) req.add_chunk_ids(std::string(id.bytes()));
  v1::HasChunksResponse resp;
  grpc::Status s = impl_->stub->HasChunks(&ctx, req, &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  if (static_cast<size_t>(resp.present_size()) != ids.size()) {
    return absl::InternalError("HasChunks reply has the wrong length");
  }
  return std::vector<bool>(resp.present().begin(), resp.present().end());
}

absl::StatusOr<uint64_t> NodeClient::DeleteChunks(
    std::string_view drive, std::string_view account,
    const std::vector<ChunkId>& ids) {
  grpc::ClientContext ctx;
  DRIVE_RETURN_IF_ERROR(impl_->Prepare(&ctx));
  v1::DeleteChunksRequest req;
  req.set_drive(std::string(drive));
  req.set_account(std::string(account));
  for (const auto& id : ids) req.add_chunk_ids(std::string(id.bytes()));
  v1::DeleteChunksResponse resp;
  grpc::Status s = impl_->stub->DeleteChunks(&ctx, req, &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  return resp.deleted();
}

absl::StatusOr<ChunkPage> NodeClient::ListChunks(std::string_view drive,
                                                 std::string_view account,
                                                 uint32_t pg,
                                                 std::string_view page_token,
                                                 uint32_t limit) {
  grpc::ClientContext ctx;
  DRIVE_RETURN_IF_ERROR(impl_->Prepare(&ctx));
  v1::ListChunksRequest req;
  req.set_drive(std::string(drive));
  req.set_account(std::string(account));
  req.set_pg(pg);
  req.set_page_token(std::string(page_token));
  req.set_limit(limit);
  v1::ListChunksResponse resp;
  grpc::Status s = impl_->stub->ListChunks(&ctx, req, &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  ChunkPage page;
  for (const auto& c : resp.chunks()) {
    auto id = ChunkId::FromBytes(c.chunk_id());
    if (!id.ok()) return id.status();
    page.chunks.push_back({*id, c.raw_length(), c.stored_length()});
  }
  page.next_page_token = resp.next_page_token();
  return page;
}

absl::StatusOr<std::vector<DriveStatsResult>> NodeClient::NodeStats() {
  grpc::ClientContext ctx;
  DRIVE_RETURN_IF_ERROR(impl_->Prepare(&ctx));
  v1::NodeStatsResponse resp;
  grpc::Status s = impl_->stub->NodeStats(&ctx, v1::NodeStatsRequest(), &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  std::vector<DriveStatsResult> out;
  for (const auto& d : resp.drives()) {
    out.push_back({d.drive(), d.chunks(), d.logical_bytes(), d.stored_bytes(),
                   d.free_bytes(), d.capacity_bytes(), d.reserve_bytes(),
                   d.checksum_failures()});
  }
  return out;
}

absl::StatusOr<uint64_t> NodeClient::CrossRegionBytesIn() {
  grpc::ClientContext ctx;
  DRIVE_RETURN_IF_ERROR(impl_->Prepare(&ctx));
  v1::NodeStatsResponse resp;
  grpc::Status s = impl_->stub->NodeStats(&ctx, v1::NodeStatsRequest(), &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  return resp.cross_region_bytes_in();
}

}  // namespace drive::client
