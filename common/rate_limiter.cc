#include "common/rate_limiter.h"

#include <algorithm>

namespace drive {

RateLimiter::RateLimiter(Env* env, double bytes_per_s, absl::Duration burst)
    : env_(env), burst_(burst), rate_(bytes_per_s) {}

absl::Duration RateLimiter::Reserve(uint64_t bytes) {
  absl::MutexLock lock(&mu_);
  if (rate_ <= 0) return absl::ZeroDuration();
  absl::Time now = env_->Now();
  // Unused time before `now` is credit, but at most `burst` of it.
  next_free_ = std::max(next_free_, now - burst_);
  next_free_ += absl::Seconds(static_cast<double>(bytes) / rate_);
  return std::max(absl::ZeroDuration(), next_free_ - now);
}

void RateLimiter::SetRate(double bytes_per_s) {
  absl::MutexLock lock(&mu_);
  rate_ = bytes_per_s;
}

double RateLimiter::rate() const {
  absl::MutexLock lock(&mu_);
  return rate_;
}

}  // namespace drive
