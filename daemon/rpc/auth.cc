#include "daemon/rpc/auth.h"

#include "common/data_token.h"

namespace drive::rpc {

absl::Status CheckClusterToken(const grpc::ServerContextBase& ctx,
                               std::string_view expected) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(kClusterTokenKey);
  if (it == md.end()) {
    return absl::UnauthenticatedError("missing cluster token");
  }
  std::string_view got(it->second.data(), it->second.size());
  if (expected.empty() || !SecretsEqual(got, expected)) {
    return absl::UnauthenticatedError("wrong cluster token");
  }
  return absl::OkStatus();
}

absl::Status AuthorizeChunkAccess(const grpc::ServerContextBase& ctx,
                                  std::string_view cluster_token,
                                  NodeCaller who, std::string_view account,
                                  int64_t now_unix_s) {
  const auto& md = ctx.client_metadata();
  if (md.find(kClusterTokenKey) != md.end()) {
    return CheckClusterToken(ctx, cluster_token);
  }
  auto it = md.find(kDataTokenKey);
  if (it == md.end()) {
    return absl::UnauthenticatedError("missing cluster or data token");
  }
  auto token_account = VerifyDataToken(
      cluster_token, std::string_view(it->second.data(), it->second.size()),
      now_unix_s);
  if (!token_account.ok()) return token_account.status();
  if (who == NodeCaller::kCluster) {
    return absl::PermissionDeniedError(
        "this call needs the cluster token; a data token is not enough");
  }
  if (account.empty() || *token_account != account) {
    return absl::PermissionDeniedError("data token is for another account");
  }
  return absl::OkStatus();
}

std::string BearerToken(const grpc::ServerContextBase& ctx) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(kAuthorizationKey);
  if (it == md.end()) return "";
  std::string_view v(it->second.data(), it->second.size());
  constexpr std::string_view kPrefix = "Bearer ";
  if (v.substr(0, kPrefix.size()) != kPrefix) return "";
  return std::string(v.substr(kPrefix.size()));
}

}  // namespace drive::rpc
