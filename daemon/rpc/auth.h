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

// Who may call a NodeService method; the table with the reasons is in
// docs/security.md.
enum class NodeCaller {
  // Daemons only (the cluster token): calls that delete, see every
  // account, or make the node dial or work for long.
  kCluster,
  // Also a client holding a data token for the request's account.
  kAccountData,
};

// OK for the cluster token. For kAccountData, also OK for a valid data
// token for `account`. A missing, forged or expired credential is
// kUnauthenticated; a valid data token for another account, or for a
// kCluster call, is kPermissionDenied.
absl::Status AuthorizeChunkAccess(const grpc::ServerContextBase& ctx,
                                  std::string_view cluster_token,
                                  NodeCaller who, std::string_view account,
                                  int64_t now_unix_s);

// The token of "authorization: Bearer TOKEN", or "" if absent.
std::string BearerToken(const grpc::ServerContextBase& ctx);

}  // namespace drive::rpc
