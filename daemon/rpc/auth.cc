#include "daemon/rpc/auth.h"

namespace drive::rpc {

bool SecretEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

absl::Status CheckClusterToken(const grpc::ServerContextBase& ctx,
                               std::string_view expected) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(kClusterTokenKey);
  if (it == md.end()) {
    return absl::UnauthenticatedError("missing cluster token");
  }
  std::string_view got(it->second.data(), it->second.size());
  if (expected.empty() || !SecretEquals(got, expected)) {
    return absl::UnauthenticatedError("wrong cluster token");
  }
  return absl::OkStatus();
}

}  // namespace drive::rpc
