#pragma once

// gRPC metadata keys shared by Drive's daemons and clients, and the one
// checked way for client code to add a metadata value.

#include <string_view>

#include "absl/status/status.h"

namespace grpc {
class ClientContext;
}  // namespace grpc

namespace drive {

// Cluster token between daemons (NodeService).
inline constexpr char kClusterTokenKey[] = "x-drive-cluster-token";
// Per-account data token issued by the coordinator (NodeService).
inline constexpr char kDataTokenKey[] = "x-drive-data-token";
// Bearer token for CoordinatorService: "Bearer TOKEN".
inline constexpr char kAuthorizationKey[] = "authorization";

// Adds `key: value` to `ctx` after ValidateMetadataValue (gRPC aborts the
// process on an illegal value instead of failing the call). On
// kInvalidArgument nothing is added and the call must not be made.
absl::Status AddMetadata(grpc::ClientContext* ctx, const char* key,
                         std::string_view value);

}  // namespace drive
