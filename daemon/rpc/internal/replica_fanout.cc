#include "daemon/rpc/internal/replica_fanout.h"

#include "common/grpc/status_convert.h"
#include "common/status_macros.h"
#include "daemon/rpc/node_map.h"

namespace drive::rpc::internal {
namespace {

using drive::v1::ForwardTarget;
using drive::v1::ReplicaAck;
using Targets = google::protobuf::RepeatedPtrField<ForwardTarget>;

constexpr int kMaxDepth = 2;
constexpr int kMaxTargets = 8;

absl::Status CheckLevel(const Targets& targets, const NodeMapCache* map,
                        int depth, int* count) {
  if (!targets.empty() && depth > kMaxDepth) {
    return absl::InvalidArgumentError("forward tree too deep");
  }
  for (const auto& t : targets) {
    if (++*count > kMaxTargets) {
      return absl::InvalidArgumentError("too many forward targets");
    }
    if (t.address().empty() || t.drive().empty()) {
      return absl::InvalidArgumentError(
          "forward target without address or drive");
    }
    if (map == nullptr) {
      return absl::PermissionDeniedError(
          "this node has no placement map and forwards nowhere");
    }
    DRIVE_RETURN_IF_ERROR(
        map->CheckForwardTarget(t.address(), t.drive(), t.drive_id()));
    DRIVE_RETURN_IF_ERROR(CheckLevel(t.forward(), map, depth + 1, count));
  }
  return absl::OkStatus();
}

ReplicaAck Ack(const std::string& drive_id, const absl::Status& s) {
  ReplicaAck a;
  a.set_drive_id(drive_id);
  StatusToProto(s, a.mutable_status());
  return a;
}

void AckTree(const ForwardTarget& t, const absl::Status& s,
             std::vector<ReplicaAck>* out) {
  out->push_back(Ack(t.drive_id(), s));
  for (const auto& f : t.forward()) AckTree(f, s, out);
}

}  // namespace

absl::Status ReplicaFanout::CheckTree(const Targets& forward,
                                      const NodeMapCache* map) {
  int count = 0;
  return CheckLevel(forward, map, 1, &count);
}

void ReplicaFanout::AddOwn(const std::string& drive_id,
                           const absl::Status& stored) {
  own_ = Ack(drive_id, stored);
  own_done_ = true;
}

void ReplicaFanout::AddForward(const ForwardTarget& target,
                               absl::StatusOr<std::vector<ReplicaAck>> acks) {
  --pending_;
  if (acks.ok() && acks->empty()) {
    acks = absl::InternalError("downstream sent no acknowledgement");
  }
  if (!acks.ok()) {
    AckTree(target, acks.status(), &forwarded_);
    return;
  }
  for (auto& a : *acks) forwarded_.push_back(std::move(a));
}

void ReplicaFanout::AppendTo(drive::v1::PutChunkResponse* response) const {
  if (own_done_) *response->add_replicas() = own_;
  for (const auto& a : forwarded_) *response->add_replicas() = a;
}

}  // namespace drive::rpc::internal
