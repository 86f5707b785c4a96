#include "daemon/rpc/node_service.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/grpc/status_convert.h"
#include "common/names.h"
#include "common/status_macros.h"
#include "daemon/rpc/auth.h"

namespace drive::rpc {

using drive::v1::GetChunkRequest;
using drive::v1::GetChunkResponse;
using drive::v1::PutChunkRequest;
using drive::v1::PutChunkResponse;

namespace {

absl::StatusOr<std::vector<ChunkId>> IdsFromProto(
    const google::protobuf::RepeatedPtrField<std::string>& raw) {
  if (raw.size() > kMaxBatchIds) {
    return absl::InvalidArgumentError(absl::StrCat(
        "at most ", kMaxBatchIds, " ids per call, got ", raw.size()));
  }
  std::vector<ChunkId> ids;
  ids.reserve(raw.size());
  for (const auto& b : raw) {
    DRIVE_ASSIGN_OR_RETURN(ChunkId id, ChunkId::FromBytes(b));
    ids.push_back(id);
  }
  return ids;
}

}  // namespace

// Collects the header and data of one PutChunk stream (bounded by the
// header's length, at most 4 MiB), then stores it on the executor.
// Anything short of a complete, consistent stream stores nothing.
class NodeServiceImpl::PutChunkReactor
    : public grpc::ServerReadReactor<PutChunkRequest> {
 public:
  PutChunkReactor(NodeServiceImpl* service, grpc::CallbackServerContext* ctx,
                  PutChunkResponse* response)
      : service_(service), response_(response) {
    absl::Status auth = CheckClusterToken(*ctx, service_->cluster_token_);
    if (!auth.ok()) {
      FinishWith(auth);
      return;
    }
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      OnStreamEnd();
      return;
    }
    absl::Status s = request_.has_header() ? OnHeader() : OnData();
    if (!s.ok()) {
      FinishWith(s);
      return;
    }
    StartRead(&request_);
  }

  void OnDone() override {
    service_->metrics_.Record("PutChunk", final_status_, start_);
    delete this;
  }

 private:
  absl::Status OnHeader() {
    if (store_ != nullptr) {
      return absl::InvalidArgumentError("PutChunk header sent twice");
    }
    const auto& h = request_.header();
    DRIVE_ASSIGN_OR_RETURN(store_, service_->node_->drive(h.drive()));
    DRIVE_RETURN_IF_ERROR(ValidateAccountName(h.address().account()));
    DRIVE_ASSIGN_OR_RETURN(id_, ChunkId::FromBytes(h.address().chunk_id()));
    if (h.length() > kMaxChunkBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "chunk length ", h.length(), " exceeds ", kMaxChunkBytes));
    }
    account_ = h.address().account();
    length_ = h.length();
    data_.reserve(length_);
    return absl::OkStatus();
  }

  absl::Status OnData() {
    if (store_ == nullptr) {
      return absl::InvalidArgumentError("PutChunk data before header");
    }
    const std::string& piece = request_.data();
    if (piece.size() > kMaxChunkMessageBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("data message of ", piece.size(), " bytes exceeds ",
                       kMaxChunkMessageBytes));
    }
    if (data_.size() + piece.size() > length_) {
      return absl::InvalidArgumentError(absl::StrCat(
          "stream carries more than the announced ", length_, " bytes"));
    }
    data_.append(piece);
    service_->metrics_.bytes_in()->Add(piece.size());
    return absl::OkStatus();
  }

  void OnStreamEnd() {
    if (store_ == nullptr) {
      FinishWith(absl::InvalidArgumentError("PutChunk stream without header"));
      return;
    }
    if (data_.size() != length_) {
      FinishWith(absl::InvalidArgumentError(
          absl::StrCat("truncated chunk stream: got ", data_.size(), " of ",
                       length_, " bytes; nothing stored")));
      return;
    }
    service_->executor_->Schedule([this] {
      auto result = store_->Put(account_, id_, data_);
      if (result.ok()) {
        response_->set_already_present(result->already_present);
        response_->set_stored_bytes(result->stored_bytes);
      }
      FinishWith(result.status());
    });
  }

  void FinishWith(const absl::Status& s) {
    final_status_ = ToGrpcStatus(s);
    Finish(final_status_);
  }

  NodeServiceImpl* service_;
  PutChunkResponse* response_;
  absl::Time start_ = absl::Now();
  PutChunkRequest request_;
  storage::ChunkStore* store_ = nullptr;
  std::string account_;
  ChunkId id_;
  uint64_t length_ = 0;
  std::string data_;
  grpc::Status final_status_;
};

// Reads and verifies the chunk on the executor, then streams the requested
// range in messages of at most kMaxChunkMessageBytes.
class NodeServiceImpl::GetChunkReactor
    : public grpc::ServerWriteReactor<GetChunkResponse> {
 public:
  GetChunkReactor(NodeServiceImpl* service, grpc::CallbackServerContext* ctx,
                  const GetChunkRequest* request)
      : service_(service) {
    absl::Status auth = CheckClusterToken(*ctx, service_->cluster_token_);
    if (!auth.ok()) {
      FinishWith(auth);
      return;
    }
    GetChunkRequest req = *request;
    service_->executor_->Schedule([this, req] { Read(req); });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      FinishWith(absl::CancelledError("client went away"));
      return;
    }
    WriteNext();
  }

  void OnDone() override {
    service_->metrics_.Record("GetChunk", final_status_, start_);
    delete this;
  }

 private:
  void Read(const GetChunkRequest& req) {
    auto data = Fetch(req);
    if (!data.ok()) {
      FinishWith(data.status());
      return;
    }
    data_.emplace(std::move(*data));
    response_.set_chunk_length(data_->chunk_length());
    WriteNext();
  }

  absl::StatusOr<storage::ChunkData> Fetch(const GetChunkRequest& req) {
    DRIVE_ASSIGN_OR_RETURN(storage::ChunkStore * store,
                           service_->node_->drive(req.drive()));
    DRIVE_ASSIGN_OR_RETURN(ChunkId id,
                           ChunkId::FromBytes(req.address().chunk_id()));
    return store->Get(req.address().account(), id, req.offset(), req.length());
  }

  // Sends the next piece; an empty range still sends one message so the
  // client learns the chunk length.
  void WriteNext() {
    std::string_view bytes = data_->bytes();
    if (sent_ == bytes.size() && sent_any_) {
      FinishWith(absl::OkStatus());
      return;
    }
    size_t n = std::min(kMaxChunkMessageBytes, bytes.size() - sent_);
    response_.set_data(bytes.data() + sent_, n);
    sent_ += n;
    sent_any_ = true;
    service_->metrics_.bytes_out()->Add(n);
    StartWrite(&response_);
    response_.clear_chunk_length();
  }

  void FinishWith(const absl::Status& s) {
    final_status_ = ToGrpcStatus(s);
    Finish(final_status_);
  }

  NodeServiceImpl* service_;
  absl::Time start_ = absl::Now();
  std::optional<storage::ChunkData> data_;
  GetChunkResponse response_;
  size_t sent_ = 0;
  bool sent_any_ = false;
  grpc::Status final_status_;
};

NodeServiceImpl::NodeServiceImpl(storage::StorageNode* node, Executor* executor,
                                 MetricsRegistry* metrics,
                                 std::string cluster_token)
    : node_(node),
      executor_(executor),
      registry_(metrics),
      metrics_(metrics),
      cluster_token_(std::move(cluster_token)) {}

grpc::ServerReadReactor<PutChunkRequest>* NodeServiceImpl::PutChunk(
    grpc::CallbackServerContext* ctx, PutChunkResponse* response) {
  return new PutChunkReactor(this, ctx, response);
}

grpc::ServerWriteReactor<GetChunkResponse>* NodeServiceImpl::GetChunk(
    grpc::CallbackServerContext* ctx, const GetChunkRequest* request) {
  return new GetChunkReactor(this, ctx, request);
}

grpc::ServerUnaryReactor* NodeServiceImpl::RunUnary(
    grpc::CallbackServerContext* ctx, const std::string& rpc,
    std::function<absl::Status()> work) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::Time start = absl::Now();
  absl::Status auth = CheckClusterToken(*ctx, cluster_token_);
  if (!auth.ok()) {
    grpc::Status s = ToGrpcStatus(auth);
    metrics_.Record(rpc, s, start);
    reactor->Finish(s);
    return reactor;
  }
  executor_->Schedule([this, reactor, rpc, start, work = std::move(work)] {
    grpc::Status s = ToGrpcStatus(work());
    metrics_.Record(rpc, s, start);
    reactor->Finish(s);
  });
  return reactor;
}

grpc::ServerUnaryReactor* NodeServiceImpl::HasChunks(
    grpc::CallbackServerContext* ctx, const drive::v1::HasChunksRequest* req,
    drive::v1::HasChunksResponse* resp) {
  return RunUnary(ctx, "HasChunks", [this, req, resp]() -> absl::Status {
    DRIVE_ASSIGN_OR_RETURN(storage::ChunkStore * store,
                           node_->drive(req->drive()));
    DRIVE_ASSIGN_OR_RETURN(auto ids, IdsFromProto(req->chunk_ids()));
    DRIVE_ASSIGN_OR_RETURN(auto present, store->Has(req->account(), ids));
    for (bool p : present) resp->add_present(p);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NodeServiceImpl::DeleteChunks(
    grpc::CallbackServerContext* ctx, const drive::v1::DeleteChunksRequest* req,
    drive::v1::DeleteChunksResponse* resp) {
  return RunUnary(ctx, "DeleteChunks", [this, req, resp]() -> absl::Status {
    DRIVE_ASSIGN_OR_RETURN(storage::ChunkStore * store,
                           node_->drive(req->drive()));
    DRIVE_ASSIGN_OR_RETURN(auto ids, IdsFromProto(req->chunk_ids()));
    DRIVE_ASSIGN_OR_RETURN(uint64_t deleted,
                           store->Delete(req->account(), ids));
    resp->set_deleted(deleted);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NodeServiceImpl::ListChunks(
    grpc::CallbackServerContext* ctx, const drive::v1::ListChunksRequest* req,
    drive::v1::ListChunksResponse* resp) {
  return RunUnary(ctx, "ListChunks", [this, req, resp]() -> absl::Status {
    DRIVE_ASSIGN_OR_RETURN(storage::ChunkStore * store,
                           node_->drive(req->drive()));
    uint32_t limit = req->limit() == 0 ? 1000 : req->limit();
    if (limit > 10000) {
      return absl::InvalidArgumentError("limit must be 0..10000");
    }
    std::optional<ChunkId> after;
    if (!req->page_token().empty()) {
      DRIVE_ASSIGN_OR_RETURN(after, ChunkId::FromBytes(req->page_token()));
    }
    DRIVE_ASSIGN_OR_RETURN(auto listing,
                           store->List(req->account(), req->pg(),
                                       after ? &*after : nullptr, limit));
    for (const auto& e : listing.chunks) {
      auto* info = resp->add_chunks();
      info->set_chunk_id(std::string(e.id.bytes()));
      info->set_raw_length(e.raw_length);
      info->set_stored_length(e.stored_length);
    }
    if (listing.more) {
      resp->set_next_page_token(std::string(listing.chunks.back().id.bytes()));
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NodeServiceImpl::NodeStats(
    grpc::CallbackServerContext* ctx, const drive::v1::NodeStatsRequest*,
    drive::v1::NodeStatsResponse* resp) {
  return RunUnary(ctx, "NodeStats", [this, resp]() -> absl::Status {
    resp->set_node(node_->name());
    for (const auto& name : node_->drive_names()) {
      DRIVE_ASSIGN_OR_RETURN(storage::ChunkStore * store, node_->drive(name));
      DRIVE_ASSIGN_OR_RETURN(storage::DriveUsage u, store->Usage());
      auto* d = resp->add_drives();
      d->set_drive(name);
      d->set_chunks(u.chunks);
      d->set_logical_bytes(u.logical_bytes);
      d->set_stored_bytes(u.stored_bytes);
      d->set_free_bytes(u.free_bytes);
      d->set_capacity_bytes(u.capacity_bytes);
      d->set_reserve_bytes(u.reserve_bytes);
      d->set_checksum_failures(u.checksum_failures);
    }
    return absl::OkStatus();
  });
}

void NodeServiceImpl::ExportDriveMetrics() {
  registry_->AddRefreshHook([this] {
    for (const auto& name : node_->drive_names()) {
      auto store = node_->drive(name);
      if (!store.ok()) continue;
      auto u = (*store)->Usage();
      if (!u.ok()) continue;
      std::string l = absl::StrCat("drive=\"", EscapeLabelValue(name), "\"");
      auto gauge = [&](const char* metric, const char* help, double v) {
        registry_->GetGauge(metric, help, l)->Set(v);
      };
      gauge("drive_drive_chunks", "Chunks held by the drive", u->chunks);
      gauge("drive_drive_logical_bytes", "Raw bytes of the chunks held",
            u->logical_bytes);
      gauge("drive_drive_stored_bytes", "Stored bytes after compression",
            u->stored_bytes);
      gauge("drive_drive_free_bytes", "Free bytes on the drive's filesystem",
            u->free_bytes);
      gauge("drive_drive_capacity_bytes", "Size of the drive's filesystem",
            u->capacity_bytes);
      gauge("drive_drive_checksum_failures",
            "Reads that found bytes not matching the chunk id",
            u->checksum_failures);
    }
  });
}

}  // namespace drive::rpc
