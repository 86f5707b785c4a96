#pragma once

// gRPC metadata keys shared by Drive's daemons and clients.

namespace drive {

// Cluster token between daemons (NodeService).
inline constexpr char kClusterTokenKey[] = "x-drive-cluster-token";
// Per-account data token issued by the coordinator (NodeService).
inline constexpr char kDataTokenKey[] = "x-drive-data-token";
// Bearer token for CoordinatorService: "Bearer TOKEN".
inline constexpr char kAuthorizationKey[] = "authorization";

}  // namespace drive
