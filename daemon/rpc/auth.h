#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "common/grpc/metadata.h"
#include "grpcpp/server_context.h"

namespace drive::rpc {

// kUnauthenticated unless the call carries `expected` under
// kClusterTokenKey. Compares in constant time.
absl::Status CheckClusterToken(const grpc::ServerContextBase& ctx,
                               std::string_view expected);

// OK for the cluster token. Otherwise the call must carry a valid data
// token (kUnauthenticated if missing, forged or expired) for `account`
// (kPermissionDenied for another account; "" allows the cluster token only).
absl::Status AuthorizeChunkAccess(const grpc::ServerContextBase& ctx,
                                  std::string_view cluster_token,
                                  std::string_view account, int64_t now_unix_s);

// The token of "authorization: Bearer TOKEN", or "" if absent.
std::string BearerToken(const grpc::ServerContextBase& ctx);

}  // namespace drive::rpc
