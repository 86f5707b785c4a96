#pragma once

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "common/executor.h"
#include "daemon/rpc/rpc_metrics.h"
#include "grpcpp/grpcpp.h"

namespace drive::rpc {

// Runs a unary call the way every Drive service does: `auth` on gRPC's
// thread (cheap checks only), then `work` on `executor` (it may block),
// then Finish with its status and record metrics. Returns the reactor to
// hand back to gRPC.
grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* ctx,
                                   Executor* executor, RpcMetrics* metrics,
                                   const std::string& rpc,
                                   const std::function<absl::Status()>& auth,
                                   std::function<absl::Status()> work);

}  // namespace drive::rpc
