#include "daemon/gateway/byte_budget.h"

#include <vector>

namespace drive::gateway {

void ByteBudget::Acquire(uint64_t bytes, std::function<void()> granted) {
  bytes = Clamp(bytes);
  {
    absl::MutexLock lock(&mu_);
    if (!waiters_.empty() || in_use_ + bytes > capacity_) {
      waiters_.push_back({bytes, std::move(granted)});
      return;
    }
    in_use_ += bytes;
  }
  granted();
}

void ByteBudget::Release(uint64_t bytes) {
  bytes = Clamp(bytes);
  std::vector<std::function<void()>> run;
  {
    absl::MutexLock lock(&mu_);
    in_use_ = bytes > in_use_ ? 0 : in_use_ - bytes;
    while (!waiters_.empty() && in_use_ + waiters_.front().bytes <= capacity_) {
      in_use_ += waiters_.front().bytes;
      run.push_back(std::move(waiters_.front().granted));
      waiters_.pop_front();
    }
  }
  // Outside the lock: a grant may start work that releases again.
  for (auto& fn : run) fn();
}

uint64_t ByteBudget::in_use() const {
  absl::MutexLock lock(&mu_);
  return in_use_;
}

size_t ByteBudget::waiting() const {
  absl::MutexLock lock(&mu_);
  return waiters_.size();
}

}  // namespace drive::gateway
