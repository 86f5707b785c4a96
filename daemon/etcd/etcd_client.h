#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "etcd/etcdserverpb/rpc.grpc.pb.h"

namespace drive::etcd {

// Unary KV calls to an etcd cluster with a deadline each, over one gRPC
// channel per endpoint. Calls go to the current endpoint; a call that finds
// it unavailable makes the next endpoint current. Idempotent calls (Range)
// then try the remaining endpoints; a Txn is sent once, because after an
// error its outcome is unknown. gRPC errors become absl statuses with
// etcd's message, and etcd's own size refusals become kResourceExhausted.
// Thread-safe.
class EtcdClient {
 public:
  EtcdClient(const std::vector<std::string>& endpoints, absl::Duration timeout);

  absl::StatusOr<etcdserverpb::RangeResponse> Range(
      const etcdserverpb::RangeRequest& request);
  absl::StatusOr<etcdserverpb::TxnResponse> Txn(
      const etcdserverpb::TxnRequest& request);

 private:
  template <typename Response, typename Call>
  absl::StatusOr<Response> Invoke(const char* what, bool idempotent,
                                  const Call& call);

  std::vector<std::string> endpoints_;
  std::vector<std::unique_ptr<etcdserverpb::KV::Stub>> stubs_;
  absl::Duration timeout_;
  std::atomic<size_t> current_{0};
};

}  // namespace drive::etcd
