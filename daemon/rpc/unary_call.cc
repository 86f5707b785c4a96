#include "daemon/rpc/unary_call.h"

#include "common/grpc/status_convert.h"

namespace drive::rpc {

grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* ctx,
                                   Executor* executor, RpcMetrics* metrics,
                                   const std::string& rpc,
                                   const std::function<absl::Status()>& auth,
                                   std::function<absl::Status()> work) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::Time start = absl::Now();
  absl::Status allowed = auth();
  if (!allowed.ok()) {
    grpc::Status s = ToGrpcStatus(allowed);
    metrics->Record(rpc, s, start);
    reactor->Finish(s);
    return reactor;
  }
  executor->Schedule([reactor, metrics, rpc, start, work = std::move(work)] {
    grpc::Status s = ToGrpcStatus(work());
    metrics->Record(rpc, s, start);
    reactor->Finish(s);
  });
  return reactor;
}

}  // namespace drive::rpc
