#include "daemon/gateway/connection_limiter.h"

#include <algorithm>

namespace drive::gateway {

ConnectionLimiter::ConnectionLimiter(size_t max_total, size_t max_per_client)
    : max_total_(std::max<size_t>(1, max_total)),
      max_per_client_(std::max<size_t>(1, max_per_client)) {}

ConnectionLimiter::Verdict ConnectionLimiter::TryAdmit(
    const std::string& client) {
  absl::MutexLock lock(&mu_);
  if (total_ >= max_total_) return Verdict::kServerFull;
  size_t& mine = per_client_[client];
  if (mine >= max_per_client_) return Verdict::kClientFull;
  ++mine;
  ++total_;
  return Verdict::kAdmitted;
}

void ConnectionLimiter::Release(const std::string& client) {
  absl::MutexLock lock(&mu_);
  auto it = per_client_.find(client);
  if (it == per_client_.end() || it->second == 0) return;  // a caller's bug
  --total_;
  if (--it->second == 0) per_client_.erase(it);
}

size_t ConnectionLimiter::total() const {
  absl::MutexLock lock(&mu_);
  return total_;
}

size_t ConnectionLimiter::from(const std::string& client) const {
  absl::MutexLock lock(&mu_);
  auto it = per_client_.find(client);
  return it == per_client_.end() ? 0 : it->second;
}

}  // namespace drive::gateway
