#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "drive/v1/node.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace drive::rpc {

// Streams one chunk to one downstream node while this node is still
// receiving it (no store-then-send). Pieces are queued as they arrive and
// written one at a time; the queue holds at most the rest of one chunk
// (<= 4 MiB). When the call ends, `done` receives the downstream's acks
// (one per copy it covered: its own and everything it forwarded) or the
// error that ended the call; ReplicaFanout turns either into the reply's
// acks. Thread-safe.
// Shared ownership: the caller's reference and the call's own, released
// once gRPC has finished with it; calls after that are harmless no-ops.
class ChunkForwarder final
    : public grpc::ClientWriteReactor<drive::v1::PutChunkRequest> {
 public:
  using Done =
      std::function<void(absl::StatusOr<std::vector<drive::v1::ReplicaAck>>)>;

  // Metadata entry the forwarded call carries: the upstream caller's own
  // credential (cluster or data token), never more. A client that names a
  // forward target thus cannot make this node hand out the cluster token.
  struct Credential {
    std::string key;
    std::string value;
  };

  // Starts the call and sends the header for `target`.
  static std::shared_ptr<ChunkForwarder> Start(
      std::shared_ptr<drive::v1::NodeService::Stub> stub,
      const drive::v1::ForwardTarget& target,
      const drive::v1::PutChunkHeader& upstream, const Credential& credential,
      const std::string& from_region,
      std::chrono::system_clock::time_point deadline, Done done);

  // Queues the next piece of the chunk.
  void Append(std::shared_ptr<const std::string> piece);
  // No more pieces: half-close once the queue has drained.
  void Close();
  // The upstream stream failed: cancel, so the downstream stores nothing.
  void Abort();

  void OnWriteDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  explicit ChunkForwarder(Done done) : done_(std::move(done)) {}
  void Pump() ABSL_LOCKS_EXCLUDED(mu_);

  std::shared_ptr<ChunkForwarder> self_;
  std::shared_ptr<drive::v1::NodeService::Stub> stub_;
  grpc::ClientContext ctx_;
  drive::v1::PutChunkResponse response_;
  Done done_;

  absl::Mutex mu_;
  drive::v1::PutChunkRequest in_flight_ ABSL_GUARDED_BY(mu_);
  std::deque<std::shared_ptr<const std::string>> queue_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool half_closed_ ABSL_GUARDED_BY(mu_) = false;
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace drive::rpc
