#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "common/grpc/status_convert.h"
#include "grpcpp/server_context.h"

namespace drive::rpc {

// kUnauthenticated unless the call carries `expected` under
// kClusterTokenKey. Compares in constant time.
absl::Status CheckClusterToken(const grpc::ServerContextBase& ctx,
                               std::string_view expected);

// Constant-time equality for secrets.
bool SecretEquals(std::string_view a, std::string_view b);

}  // namespace drive::rpc
