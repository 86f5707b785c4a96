#include "daemon/rpc/node_service.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/grpc/scrub_progress_convert.h"
#include "common/grpc/status_convert.h"
#include "common/names.h"
#include "common/status_macros.h"
#include "daemon/rpc/auth.h"
#include "daemon/rpc/chunk_forwarder.h"
#include "daemon/rpc/unary_call.h"

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
// header's length, at most 4 MiB) while streaming every piece on to the
// header's forward targets; then stores its own copy on the executor and
// answers once its copy and every forwarded copy have answered. Anything
// short of a complete, consistent stream stores nothing here and cancels
// the forwards, so nothing is stored downstream either. While it reads, the
// stream is in the service's IdleStreamWatch: one that stays quiet is
// cancelled (OnIdle).
class NodeServiceImpl::PutChunkReactor
    : public grpc::ServerReadReactor<PutChunkRequest>,
      public IdleStreamWatch::Stream {
 public:
  PutChunkReactor(NodeServiceImpl* service, grpc::CallbackServerContext* ctx,
                  PutChunkResponse* response)
      : service_(service), ctx_(ctx), response_(response) {
    if (!service_->put_streams_.Add(this)) {
      FinishWith(absl::ResourceExhaustedError(
          "too many PutChunk streams open on this node; retry later"));
      return;
    }
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      OnStreamEnd();
      return;
    }
    service_->put_streams_.Touch(this);
    absl::Status s = request_.has_header() ? OnHeader() : OnData();
    if (!s.ok()) {
      Fail(s);
      return;
    }
    if (recheck_forwards_) {
      RecheckForwards();
      return;
    }
    {
      absl::MutexLock lock(&mu_);
      if (failed_) return;  // cancelled as idle meanwhile
    }
    StartRead(&request_);
  }

  void OnIdle() override {
    Fail(absl::DeadlineExceededError(absl::StrCat(
        "no PutChunk message for ",
        absl::FormatDuration(service_->put_streams_.idle_timeout()),
        "; stream cancelled, nothing stored")));
  }

  void OnDone() override {
    service_->put_streams_.Remove(this);
    service_->metrics_.Record("PutChunk", final_status_, start_);
    delete this;
  }

 private:
  absl::Status OnHeader() {
    if (store_ != nullptr) {
      return absl::InvalidArgumentError("PutChunk header sent twice");
    }
    const auto& h = request_.header();
    DRIVE_RETURN_IF_ERROR(service_->Authorize(*ctx_, NodeCaller::kAccountData,
                                              h.address().account()));
    DRIVE_ASSIGN_OR_RETURN(store_, service_->node_->drive(h.drive()));
    DRIVE_RETURN_IF_ERROR(ValidateAccountName(h.address().account()));
    DRIVE_ASSIGN_OR_RETURN(id_, ChunkId::FromBytes(h.address().chunk_id()));
    if (h.length() > kMaxChunkBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "chunk length ", h.length(), " exceeds ", kMaxChunkBytes));
    }
    account_ = h.address().account();
    length_ = h.length();
    drive_id_ = h.drive_id().empty() ? h.drive() : h.drive_id();
    cross_region_ =
        !h.from_region().empty() && h.from_region() != service_->region_;
    int targets = 0;
    absl::Status forwards = CheckForwardTree(h.forward(), 1, &targets);
    if (absl::IsPermissionDenied(forwards) || absl::IsUnavailable(forwards)) {
      // Perhaps a drive this node's map does not list yet.
      if (service_->map_ != nullptr) {
        recheck_forwards_ = true;
        return absl::OkStatus();
      }
    }
    DRIVE_RETURN_IF_ERROR(forwards);
    StartForwards(h);
    return absl::OkStatus();
  }

  // A forward target is not in the node's map: fetch the map (at most once
  // a second for the whole node) and check again, off gRPC's threads. The
  // stream is neither read nor watched meanwhile, so nothing else can
  // finish it (and free `this`) until this task has decided.
  void RecheckForwards() {
    recheck_forwards_ = false;
    service_->put_streams_.Remove(this);
    service_->read_executor_->Schedule([this] {
      absl::Status refreshed = service_->map_->Refresh(absl::Seconds(1));
      int targets = 0;
      const auto& h = request_.header();
      absl::Status s = CheckForwardTree(h.forward(), 1, &targets);
      if (absl::IsUnavailable(s) && !refreshed.ok()) s = refreshed;
      if (s.ok() && !service_->put_streams_.Add(this)) {
        s = absl::ResourceExhaustedError(
            "too many PutChunk streams open on this node; retry later");
      }
      if (!s.ok()) {
        Fail(s);
        return;
      }
      StartForwards(h);
      StartRead(&request_);
    });
  }

  // Forward trees are small (a chunk has six copies); bound them so one
  // request cannot fan out without limit, and let the node dial only
  // drives of its placement map.
  absl::Status CheckForwardTree(const google::protobuf::RepeatedPtrField<
                                    drive::v1::ForwardTarget>& targets,
                                int depth, int* count) const {
    if (!targets.empty() && depth > 2) {
      return absl::InvalidArgumentError("forward tree too deep");
    }
    for (const auto& t : targets) {
      if (++*count > 8)
        return absl::InvalidArgumentError("too many forward targets");
      if (t.address().empty() || t.drive().empty()) {
        return absl::InvalidArgumentError(
            "forward target without address or drive");
      }
      if (service_->map_ == nullptr) {
        return absl::PermissionDeniedError(
            "this node has no placement map and forwards nowhere");
      }
      DRIVE_RETURN_IF_ERROR(service_->map_->CheckForwardTarget(
          t.address(), t.drive(), t.drive_id()));
      DRIVE_RETURN_IF_ERROR(CheckForwardTree(t.forward(), depth + 1, count));
    }
    return absl::OkStatus();
  }

  // Forwards carry the caller's own credential (see ChunkForwarder).
  ChunkForwarder::Credential CallerCredential() const {
    const auto& md = ctx_->client_metadata();
    for (const char* key : {kClusterTokenKey, kDataTokenKey}) {
      auto it = md.find(key);
      if (it != md.end()) {
        return {key, std::string(it->second.data(), it->second.size())};
      }
    }
    return {};
  }

  void StartForwards(const drive::v1::PutChunkHeader& h) {
    if (h.forward().empty()) return;
    auto deadline = ctx_->deadline();
    auto latest = std::chrono::system_clock::now() + std::chrono::seconds(120);
    if (deadline > latest) deadline = latest;
    ChunkForwarder::Credential credential = CallerCredential();
    {
      // Count them all before any can finish and call back.
      absl::MutexLock lock(&mu_);
      pending_ += h.forward_size();
    }
    // Started outside mu_: gRPC may run a reaction (OnForwardDone) inline.
    std::vector<std::shared_ptr<ChunkForwarder>> started;
    for (const auto& target : h.forward()) {
      started.push_back(ChunkForwarder::Start(
          service_->peers_.StubFor(target.address()), target, h, credential,
          service_->region_, deadline,
          [this](std::vector<drive::v1::ReplicaAck> acks) {
            OnForwardDone(std::move(acks));
          }));
    }
    bool failed;
    {
      absl::MutexLock lock(&mu_);
      forwarders_ = started;
      failed = failed_;
    }
    // Cancelled as idle meanwhile: Fail did not see these yet.
    if (failed) {
      for (const auto& f : started) f->Abort();
    }
  }

  absl::Status OnData() {
    if (store_ == nullptr) {
      return absl::InvalidArgumentError("PutChunk data before header");
    }
    if (request_.data().size() > kMaxChunkMessageBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("data message of ", request_.data().size(),
                       " bytes exceeds ", kMaxChunkMessageBytes));
    }
    if (data_.size() + request_.data().size() > length_) {
      return absl::InvalidArgumentError(absl::StrCat(
          "stream carries more than the announced ", length_, " bytes"));
    }
    auto piece = std::make_shared<std::string>();
    piece->swap(*request_.mutable_data());
    // Reserved with the first bytes, not at the header: a stream that
    // announces 4 MiB and sends nothing holds nothing.
    if (data_.empty()) data_.reserve(length_);
    data_.append(*piece);
    service_->metrics_.bytes_in()->Add(piece->size());
    if (cross_region_) service_->cross_region_bytes_->Add(piece->size());
    for (const auto& f : forwarders_) f->Append(piece);
    return absl::OkStatus();
  }

  void OnStreamEnd() {
    // From here on the stream is not read, so it cannot be idle, and once
    // Remove returns no OnIdle runs: if none failed the stream already, the
    // store below is the only way it finishes (so `this` outlives it).
    service_->put_streams_.Remove(this);
    {
      absl::MutexLock lock(&mu_);
      if (failed_) return;
    }
    if (store_ == nullptr) {
      Fail(absl::InvalidArgumentError("PutChunk stream without header"));
      return;
    }
    if (data_.size() != length_) {
      Fail(absl::InvalidArgumentError(
          absl::StrCat("truncated chunk stream: got ", data_.size(), " of ",
                       length_, " bytes; nothing stored")));
      return;
    }
    for (const auto& f : forwarders_) f->Close();
    service_->write_executor_->Schedule([this] {
      auto result = store_->Put(account_, id_, data_);
      drive::v1::ReplicaAck own;
      own.set_drive_id(drive_id_);
      StatusToProto(result.status(), own.mutable_status());
      if (result.ok()) {
        response_->set_already_present(result->already_present);
        response_->set_stored_bytes(result->stored_bytes);
      }
      bool last;
      {
        absl::MutexLock lock(&mu_);
        *response_->add_replicas() = std::move(own);
        // Own copy first: move the forwarded acks that arrived earlier
        // behind it.
        for (auto& a : early_acks_) *response_->add_replicas() = std::move(a);
        early_acks_.clear();
        own_done_ = true;
        last = pending_ == 0;
      }
      if (last) FinishWith(absl::OkStatus());
    });
  }

  void OnForwardDone(std::vector<drive::v1::ReplicaAck> acks) {
    bool last;
    absl::Status error;
    {
      absl::MutexLock lock(&mu_);
      for (auto& a : acks) {
        if (own_done_) {
          *response_->add_replicas() = std::move(a);
        } else {
          early_acks_.push_back(std::move(a));
        }
      }
      --pending_;
      last = pending_ == 0 && (own_done_ || failed_);
      error = final_error_;
    }
    if (last) FinishWith(error);
  }

  // Stream-level failure: cancel the forwards, then finish once they are
  // gone (they call back into this reactor).
  void Fail(const absl::Status& s) {
    bool now;
    std::vector<std::shared_ptr<ChunkForwarder>> forwarders;
    {
      absl::MutexLock lock(&mu_);
      failed_ = true;
      final_error_ = s;
      now = pending_ == 0;
      forwarders = forwarders_;
    }
    for (const auto& f : forwarders) f->Abort();
    if (now) FinishWith(s);
  }

  // Finishes once: a stream cancelled as idle may still see its read or
  // a forward end.
  void FinishWith(const absl::Status& s) {
    {
      absl::MutexLock lock(&mu_);
      if (finished_) return;
      finished_ = true;
    }
    final_status_ = ToGrpcStatus(s);
    Finish(final_status_);
  }

  NodeServiceImpl* service_;
  grpc::CallbackServerContext* ctx_;
  PutChunkResponse* response_;
  absl::Time start_ = absl::Now();
  PutChunkRequest request_;
  storage::ChunkStore* store_ = nullptr;
  std::string account_;
  std::string drive_id_;
  ChunkId id_;
  uint64_t length_ = 0;
  bool cross_region_ = false;
  // The header names a forward target the map may not know yet.
  bool recheck_forwards_ = false;
  std::string data_;
  // Set under mu_ once, at the header, by the reading thread, which alone
  // reads it without mu_; OnIdle's Fail takes a copy under mu_.
  std::vector<std::shared_ptr<ChunkForwarder>> forwarders_;
  grpc::Status final_status_;

  absl::Mutex mu_;
  int pending_ ABSL_GUARDED_BY(mu_) = 0;  // forwards not yet answered
  bool own_done_ ABSL_GUARDED_BY(mu_) = false;
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status final_error_ ABSL_GUARDED_BY(mu_);
  std::vector<drive::v1::ReplicaAck> early_acks_ ABSL_GUARDED_BY(mu_);
};

// Reads and verifies the chunk on the executor, then streams the requested
// range in messages of at most kMaxChunkMessageBytes.
class NodeServiceImpl::GetChunkReactor
    : public grpc::ServerWriteReactor<GetChunkResponse> {
 public:
  GetChunkReactor(NodeServiceImpl* service, grpc::CallbackServerContext* ctx,
                  const GetChunkRequest* request)
      : service_(service) {
    absl::Status auth = service_->Authorize(*ctx, NodeCaller::kAccountData,
                                            request->address().account());
    if (!auth.ok()) {
      FinishWith(auth);
      return;
    }
    GetChunkRequest req = *request;
    service_->read_executor_->Schedule([this, req] { Read(req); });
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
    // response_ belongs to gRPC from StartWrite until OnWriteDone; the
    // length goes in the first message only.
    if (sent_any_) response_.clear_chunk_length();
    response_.set_data(bytes.data() + sent_, n);
    sent_ += n;
    sent_any_ = true;
    service_->metrics_.bytes_out()->Add(n);
    StartWrite(&response_);
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

NodeServiceImpl::NodeServiceImpl(storage::StorageNode* node,
                                 Executor* write_executor,
                                 Executor* read_executor,
                                 MetricsRegistry* metrics,
                                 NodeServiceOptions options,
                                 NodeRepairDeps repair)
    : node_(node),
      write_executor_(write_executor),
      read_executor_(read_executor),
      registry_(metrics),
      metrics_(metrics),
      cluster_token_(std::move(options.cluster_token)),
      region_(std::move(options.region)),
      cross_region_bytes_(metrics->GetCounter(
          "drive_node_cross_region_bytes_received_total",
          "Chunk payload bytes forwarded here from another region")),
      map_(options.map),
      put_streams_(Env::Default(), options.stream_idle_timeout,
                   static_cast<size_t>(options.max_put_streams)),
      repair_(repair),
      repair_bytes_(metrics->GetCounter(
          "drive_node_repair_bytes_received_total",
          "Chunk bytes copied onto this node's drives by repair pulls")) {
  for (const auto& name : node_->drive_names()) {
    pull_limiters_[name] = std::make_unique<RateLimiter>(
        Env::Default(), options.repair_rate_bytes);
  }
}

absl::Status NodeServiceImpl::Authorize(const grpc::CallbackServerContext& ctx,
                                        NodeCaller who,
                                        const std::string& account) const {
  return AuthorizeChunkAccess(ctx, cluster_token_, who, account,
                              absl::ToUnixSeconds(absl::Now()));
}

grpc::ServerReadReactor<PutChunkRequest>* NodeServiceImpl::PutChunk(
    grpc::CallbackServerContext* ctx, PutChunkResponse* response) {
  return new PutChunkReactor(this, ctx, response);
}

grpc::ServerWriteReactor<GetChunkResponse>* NodeServiceImpl::GetChunk(
    grpc::CallbackServerContext* ctx, const GetChunkRequest* request) {
  return new GetChunkReactor(this, ctx, request);
}

grpc::ServerUnaryReactor* NodeServiceImpl::Unary(
    grpc::CallbackServerContext* ctx, const std::string& rpc, NodeCaller who,
    const std::string& account, std::function<absl::Status()> work,
    Executor* executor) {
  return RunUnary(
      ctx, executor ? executor : read_executor_, &metrics_, rpc,
      [this, ctx, who, &account] { return Authorize(*ctx, who, account); },
      std::move(work));
}

grpc::ServerUnaryReactor* NodeServiceImpl::HasChunks(
    grpc::CallbackServerContext* ctx, const drive::v1::HasChunksRequest* req,
    drive::v1::HasChunksResponse* resp) {
  return Unary(
      ctx, "HasChunks", NodeCaller::kAccountData, req->account(),
      [this, req, resp]() -> absl::Status {
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
  return Unary(
      ctx, "DeleteChunks", NodeCaller::kCluster, req->account(),
      [this, req, resp]() -> absl::Status {
        DRIVE_ASSIGN_OR_RETURN(storage::ChunkStore * store,
                               node_->drive(req->drive()));
        DRIVE_ASSIGN_OR_RETURN(auto ids, IdsFromProto(req->chunk_ids()));
        DRIVE_ASSIGN_OR_RETURN(
            uint64_t deleted,
            store->Delete(req->account(), ids, req->stored_before_unix_s()));
        resp->set_deleted(deleted);
        return absl::OkStatus();
      },
      write_executor_);
}

grpc::ServerUnaryReactor* NodeServiceImpl::ListChunks(
    grpc::CallbackServerContext* ctx, const drive::v1::ListChunksRequest* req,
    drive::v1::ListChunksResponse* resp) {
  return Unary(
      ctx, "ListChunks", NodeCaller::kCluster, req->account(),
      [this, req, resp]() -> absl::Status {
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
          resp->set_next_page_token(
              std::string(listing.chunks.back().id.bytes()));
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* NodeServiceImpl::NodeStats(
    grpc::CallbackServerContext* ctx, const drive::v1::NodeStatsRequest*,
    drive::v1::NodeStatsResponse* resp) {
  return Unary(ctx, "NodeStats", NodeCaller::kCluster, "",
               [this, resp]() -> absl::Status {
                 resp->set_node(node_->name());
                 resp->set_region(region_);
                 resp->set_cross_region_bytes_in(cross_region_bytes_->value());
                 resp->set_bytes_in(metrics_.bytes_in()->value());
                 for (const auto& name : node_->drive_names()) {
                   DRIVE_ASSIGN_OR_RETURN(storage::ChunkStore * store,
                                          node_->drive(name));
                   DRIVE_ASSIGN_OR_RETURN(storage::DriveUsage u,
                                          store->Usage());
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
                 if (repair_.scrubber != nullptr) {
                   for (const auto& p : repair_.scrubber->Progress()) {
                     ToProto(p, resp->add_scrub());
                   }
                 }
                 return absl::OkStatus();
               });
}

void NodeServiceImpl::ExportDriveMetrics() {
  registry_->AddRefreshHook([this] {
    registry_->GetGauge("drive_node_put_streams", "PutChunk streams open now")
        ->Set(static_cast<double>(put_streams_.size()));
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
      gauge("drive_drive_quarantined", "Quarantine records (bad copies found)",
            u->quarantined);
    }
    if (repair_.scrubber == nullptr) return;
    int64_t now = absl::ToUnixSeconds(absl::Now());
    for (const auto& p : repair_.scrubber->Progress()) {
      std::string l = absl::StrCat("drive=\"", EscapeLabelValue(p.drive), "\"");
      auto gauge = [&](const char* metric, const char* help, double v) {
        registry_->GetGauge(metric, help, l)->Set(v);
      };
      gauge("drive_drive_oldest_verified_age_seconds",
            "Every copy on the drive was verified within this many seconds",
            static_cast<double>(now - p.oldest_verified_unix_s));
      gauge("drive_drive_scrub_pass_fraction",
            "Progress of the current scrub pass, 0..1", p.pass_fraction);
      gauge("drive_drive_scrub_on_schedule",
            "1 while the drive meets its verification deadline",
            p.on_schedule ? 1 : 0);
      gauge("drive_drive_scrub_corrupt_found",
            "Bad copies the scrubber found since start", p.corrupt_found);
      gauge("drive_drive_scrub_repaired",
            "Bad copies the scrubber repaired since start", p.repaired);
    }
  });
}

}  // namespace drive::rpc
