#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "etcd/etcdserverpb/rpc.grpc.pb.h"

namespace drive::etcd {

// KV and Lease calls to an etcd cluster with a deadline each, over one
// gRPC channel per endpoint. Calls go to the current endpoint; a call that
// finds it unavailable makes the next endpoint current. Idempotent calls
// (Range) then try the remaining endpoints; a Txn is sent once, because after
// an error its outcome is unknown. gRPC errors become absl statuses with etcd's
// message, and etcd's own size refusals become kResourceExhausted. Thread-safe.
class EtcdClient {
 public:
  EtcdClient(const std::vector<std::string>& endpoints, absl::Duration timeout);

  absl::StatusOr<etcdserverpb::RangeResponse> Range(
      const etcdserverpb::RangeRequest& request);
  absl::StatusOr<etcdserverpb::TxnResponse> Txn(
      const etcdserverpb::TxnRequest& request);

  // A new lease of `ttl` (whole seconds, >= 1; etcd may raise it to its
  // minimum). Returns the granted ID and TTL. Not resent after an error: a
  // lease granted but not answered expires unused.
  absl::StatusOr<etcdserverpb::LeaseGrantResponse> LeaseGrant(
      absl::Duration ttl);
  // Ends the lease and deletes its keys. OK also when it had expired.
  absl::Status LeaseRevoke(int64_t lease_id);
  // One keep-alive of the lease, answered before `deadline` (and before the
  // usual call timeout): the lease's refreshed TTL, or kNotFound when it
  // has expired. Each call opens and closes its own stream, so a stuck
  // server never holds the caller past the deadline.
  absl::StatusOr<absl::Duration> KeepAliveOnce(int64_t lease_id,
                                               absl::Time deadline);

 private:
  // Calls call(endpoint index, context, response) at the current endpoint,
  // and for idempotent calls at the others while they are unreachable.
  // Each attempt ends by now + timeout_ or `deadline`, whichever is first.
  template <typename Response, typename Call>
  absl::StatusOr<Response> Invoke(const char* what, bool idempotent,
                                  const Call& call,
                                  absl::Time deadline = absl::InfiniteFuture());

  std::vector<std::string> endpoints_;
  std::vector<std::unique_ptr<etcdserverpb::KV::Stub>> stubs_;
  std::vector<std::unique_ptr<etcdserverpb::Lease::Stub>> lease_stubs_;
  absl::Duration timeout_;
  std::atomic<size_t> current_{0};
};

}  // namespace drive::etcd
