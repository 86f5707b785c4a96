#pragma once

#include <atomic>
#include <thread>

#include "common/env.h"

namespace drive::testing {

// An Env whose free space and clock the test sets. Nothing blocks:
// SleepFor advances the clock (and adds to slept()), and a wait whose
// condition is false moves the clock on to its deadline (rounded up to a
// second), so code that sleeps on a schedule runs through it at once.
// Thread-safe.
class FakeEnv : public Env {
 public:
  absl::StatusOr<DiskSpace> GetDiskSpace(const std::string&) override {
    return DiskSpace{free_bytes_.load(), capacity_bytes_.load()};
  }
  absl::Time Now() override { return absl::FromUnixNanos(now_ns_.load()); }
  bool AwaitWithDeadline(absl::Mutex* mu, const absl::Condition& condition,
                         absl::Time deadline) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (condition.Eval()) return true;
    int64_t until = absl::ToInt64Nanoseconds(
        absl::Ceil(deadline - absl::UnixEpoch(), absl::Seconds(1)));
    int64_t now = now_ns_.load();
    while (now < until && !now_ns_.compare_exchange_weak(now, until)) {
    }
    // Like a real wait, let other threads take `mu` meanwhile.
    mu->Unlock();
    std::this_thread::yield();
    mu->Lock();
    return condition.Eval();
  }
  void SleepFor(absl::Duration d) override {
    if (d <= absl::ZeroDuration()) return;
    now_ns_ += absl::ToInt64Nanoseconds(d);
    slept_ns_ += absl::ToInt64Nanoseconds(d);
  }

  void SetFreeBytes(uint64_t b) { free_bytes_ = b; }
  void AdvanceSeconds(int64_t s) { now_ns_ += s * 1'000'000'000; }
  // Total time callers asked SleepFor to wait.
  absl::Duration slept() const { return absl::Nanoseconds(slept_ns_.load()); }

 private:
  std::atomic<uint64_t> free_bytes_{1ull << 40};
  std::atomic<uint64_t> capacity_bytes_{2ull << 40};
  std::atomic<int64_t> now_ns_{1'800'000'000LL * 1'000'000'000};
  std::atomic<int64_t> slept_ns_{0};
};

}  // namespace drive::testing
