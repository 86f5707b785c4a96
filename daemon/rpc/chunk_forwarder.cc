#include "daemon/rpc/chunk_forwarder.h"

#include "common/grpc/metadata.h"
#include "common/grpc/status_convert.h"

namespace drive::rpc {

using drive::v1::ForwardTarget;
using drive::v1::PutChunkHeader;
using drive::v1::ReplicaAck;

ChunkForwarder::ChunkForwarder(const ForwardTarget& target, Done done)
    : done_(std::move(done)) {
  CollectTargets(target);
}

void ChunkForwarder::CollectTargets(const ForwardTarget& t) {
  covered_drive_ids_.push_back(t.drive_id());
  for (const auto& f : t.forward()) CollectTargets(f);
}

std::shared_ptr<ChunkForwarder> ChunkForwarder::Start(
    std::shared_ptr<drive::v1::NodeService::Stub> stub,
    const ForwardTarget& target, const PutChunkHeader& upstream,
    const Credential& credential, const std::string& from_region,
    std::chrono::system_clock::time_point deadline, Done done) {
  std::shared_ptr<ChunkForwarder> f(
      new ChunkForwarder(target, std::move(done)));
  f->self_ = f;  // released in OnDone, when gRPC is finished with f
  f->stub_ = std::move(stub);
  f->ctx_.AddMetadata(credential.key, credential.value);
  f->ctx_.set_deadline(deadline);
  f->stub_->async()->PutChunk(&f->ctx_, &f->response_, f.get());
  {
    absl::MutexLock lock(&f->mu_);  // nothing else can see f yet
    PutChunkHeader* h = f->in_flight_.mutable_header();
    h->set_drive(target.drive());
    h->set_drive_id(target.drive_id());
    *h->mutable_address() = upstream.address();
    h->set_length(upstream.length());
    *h->mutable_forward() = target.forward();
    h->set_from_region(from_region);
    f->writing_ = true;
  }
  f->StartWrite(&f->in_flight_);
  // Hold the call open until Close/Abort decides how it ends.
  f->AddHold();
  f->StartCall();
  return f;
}

void ChunkForwarder::Append(std::shared_ptr<const std::string> piece) {
  {
    absl::MutexLock lock(&mu_);
    if (failed_) return;
    queue_.push_back(std::move(piece));
  }
  Pump();
}

void ChunkForwarder::Close() {
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  Pump();
}

void ChunkForwarder::Abort() {
  ctx_.TryCancel();
  {
    absl::MutexLock lock(&mu_);
    failed_ = true;
    closed_ = true;
    queue_.clear();
  }
  Pump();
}

// Decides the next step under the lock and takes it outside: gRPC may run
// a reaction on the calling thread, which must not find the lock held.
void ChunkForwarder::Pump() {
  enum { kNothing, kWrite, kWritesDone, kRelease } action = kNothing;
  {
    absl::MutexLock lock(&mu_);
    if (writing_ || half_closed_) return;
    if (failed_) {
      half_closed_ = true;
      action = kRelease;
    } else if (!queue_.empty()) {
      in_flight_.Clear();
      in_flight_.set_data(*queue_.front());
      queue_.pop_front();
      writing_ = true;
      action = kWrite;
    } else if (closed_) {
      half_closed_ = true;
      action = kWritesDone;
    }
  }
  switch (action) {
    case kWrite:
      StartWrite(&in_flight_);  // in_flight_ is ours until OnWriteDone
      break;
    case kWritesDone:
      StartWritesDone();
      RemoveHold();
      break;
    case kRelease:
      RemoveHold();
      break;
    case kNothing:
      break;
  }
}

void ChunkForwarder::OnWriteDone(bool ok) {
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) failed_ = true;  // the stream broke; OnDone has the status
  }
  Pump();
}

void ChunkForwarder::OnDone(const grpc::Status& status) {
  std::vector<ReplicaAck> acks;
  if (status.ok() && response_.replicas_size() > 0) {
    acks.assign(response_.replicas().begin(), response_.replicas().end());
  } else {
    absl::Status failed =
        status.ok() ? absl::InternalError("downstream sent no acknowledgement")
                    : FromGrpcStatus(status);
    for (const auto& id : covered_drive_ids_) {
      ReplicaAck a;
      a.set_drive_id(id);
      StatusToProto(failed, a.mutable_status());
      acks.push_back(std::move(a));
    }
  }
  Done done = std::move(done_);
  done(std::move(acks));
  // The reactor may still hold a reference and call Append/Close/Abort;
  // those are no-ops now (half_closed_), and the object lives until both
  // sides have let go.
  self_.reset();
}

}  // namespace drive::rpc
