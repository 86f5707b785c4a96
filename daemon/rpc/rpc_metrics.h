#pragma once

#include <string>

#include "absl/time/time.h"
#include "common/metrics.h"
#include "grpcpp/support/status.h"

namespace drive::rpc {

// Per-RPC request counts (by code), latencies and byte counters of one
// server. Thread-safe; the registry must outlive it.
class RpcMetrics {
 public:
  explicit RpcMetrics(MetricsRegistry* registry);
  // Records one finished call of `rpc` that began at `start`.
  void Record(const std::string& rpc, const grpc::Status& status,
              absl::Time start);
  // Chunk payload bytes received / sent.
  Counter* bytes_in() const { return bytes_in_; }
  Counter* bytes_out() const { return bytes_out_; }

 private:
  MetricsRegistry* registry_;
  Counter* bytes_in_;
  Counter* bytes_out_;
};

}  // namespace drive::rpc
