#include "daemon/rpc/rpc_metrics.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/status_convert.h"

namespace drive::rpc {

RpcMetrics::RpcMetrics(MetricsRegistry* registry)
    : registry_(registry),
      bytes_in_(registry->GetCounter("drive_node_bytes_received_total",
                                     "Chunk payload bytes received")),
      bytes_out_(registry->GetCounter("drive_node_bytes_sent_total",
                                      "Chunk payload bytes sent")) {}

void RpcMetrics::Record(const std::string& rpc, const grpc::Status& status,
                        absl::Time start) {
  std::string code =
      absl::StatusCodeToString(StatusCodeFromWire(status.error_code()));
  registry_
      ->GetCounter("drive_rpc_requests_total",
                   "Finished RPCs by method and code",
                   absl::StrCat("rpc=\"", rpc, "\",code=\"", code, "\""))
      ->Add();
  registry_
      ->GetHistogram("drive_rpc_duration_seconds", "RPC latency by method",
                     absl::StrCat("rpc=\"", rpc, "\""))
      ->Observe(absl::ToDoubleSeconds(absl::Now() - start));
}

}  // namespace drive::rpc
