#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "drive/v1/node.pb.h"

namespace drive::rpc {
class NodeMapCache;
}

namespace drive::rpc::internal {

// The replication rules of one PutChunk, apart from the streaming: which
// forwards the header may ask for, and how this node's ack and the
// downstream acks make up the reply.
//
// Why here and not in a domain folder: the forward tree and the acks are
// PutChunk's wire messages (ForwardTarget, ReplicaAck), and a domain copy
// of them would only add a conversion both ways. The class uses no gRPC
// type (no context, status or stub), so it is tested without a server; the
// reactor in node_service.cc and ChunkForwarder stay the adapters.
//
// Not thread-safe: the reactor calls it under its own lock.
class ReplicaFanout {
 public:
  // Forward trees are small (a chunk has six copies): at most two levels
  // and eight targets, each with an address and a drive, and each a drive
  // of `map`'s placement map, so a request can neither fan out without
  // limit nor make the node dial an address a client made up. Errors:
  // kInvalidArgument for the shape; kPermissionDenied when `map` is null
  // or does not list a target; kUnavailable before the map's first fetch.
  // `map` is not owned.
  static absl::Status CheckTree(const google::protobuf::RepeatedPtrField<
                                    drive::v1::ForwardTarget>& forward,
                                const NodeMapCache* map);

  // `n` more forwards were started; each answers once through AddForward.
  void AddPending(int n) { pending_ += n; }

  // This node's copy on `drive_id` ended with `stored`.
  void AddOwn(const std::string& drive_id, const absl::Status& stored);

  // The forward to `target` answered: with the acks of its copies (its own
  // and those it forwarded), or with the error that ended the call. On an
  // error, and when the downstream sent no ack at all (kInternal), every
  // drive of `target`'s tree gets an ack with that error, so the reply
  // names each copy that is missing.
  void AddForward(const drive::v1::ForwardTarget& target,
                  absl::StatusOr<std::vector<drive::v1::ReplicaAck>> acks);

  // Forwards that have not answered yet.
  int pending() const { return pending_; }
  // Whether AddOwn was called.
  bool own_done() const { return own_done_; }

  // Appends the acks collected so far to `response`: this node's first,
  // then the forwards' in the order they answered.
  void AppendTo(drive::v1::PutChunkResponse* response) const;

 private:
  int pending_ = 0;
  bool own_done_ = false;
  drive::v1::ReplicaAck own_;
  std::vector<drive::v1::ReplicaAck> forwarded_;
};

}  // namespace drive::rpc::internal
