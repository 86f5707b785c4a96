#pragma once

#include <cstdint>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/env.h"

namespace drive {

// A token bucket over bytes: Reserve(n) books n bytes and says how long the
// caller must wait before using them so that the long-run rate stays at
// bytes_per_s, with bursts of up to `burst` seconds of credit. The limiter
// never sleeps itself (callers wait on their own stop signal), and reads
// time from the Env, so tests drive it with a fake clock. Thread-safe:
// concurrent callers share one budget.
class RateLimiter {
 public:
  // bytes_per_s 0 means unlimited.
  RateLimiter(Env* env, double bytes_per_s,
              absl::Duration burst = absl::Seconds(1));

  // Books `bytes`; returns the wait before they may be used (zero while
  // credit lasts).
  absl::Duration Reserve(uint64_t bytes);
  void SetRate(double bytes_per_s);
  double rate() const;

 private:
  Env* env_;
  absl::Duration burst_;
  mutable absl::Mutex mu_;
  double rate_ ABSL_GUARDED_BY(mu_);
  absl::Time next_free_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace drive
