#pragma once

#include <atomic>
#include <thread>

#include "common/env.h"

namespace drive::testing {

// An Env whose free space and clock (whole seconds) the test sets.
// Waits do not block: a wait whose condition is false moves the clock on
// to its deadline (rounded up to a second), so code that sleeps on a
// schedule runs through it at once. Thread-safe.
class FakeEnv : public Env {
 public:
  absl::StatusOr<DiskSpace> GetDiskSpace(const std::string&) override {
    return DiskSpace{free_bytes_.load(), capacity_bytes_.load()};
  }
  absl::Time Now() override { return absl::FromUnixSeconds(now_s_.load()); }
  bool AwaitWithDeadline(absl::Mutex* mu, const absl::Condition& condition,
                         absl::Time deadline) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (condition.Eval()) return true;
    int64_t until = absl::ToInt64Seconds(
        absl::Ceil(deadline - absl::UnixEpoch(), absl::Seconds(1)));
    int64_t now = now_s_.load();
    while (now < until && !now_s_.compare_exchange_weak(now, until)) {
    }
    // Like a real wait, let other threads take `mu` meanwhile.
    mu->Unlock();
    std::this_thread::yield();
    mu->Lock();
    return condition.Eval();
  }

  void SetFreeBytes(uint64_t b) { free_bytes_ = b; }
  void AdvanceSeconds(int64_t s) { now_s_ += s; }

 private:
  std::atomic<uint64_t> free_bytes_{1ull << 40};
  std::atomic<uint64_t> capacity_bytes_{2ull << 40};
  std::atomic<int64_t> now_s_{1'800'000'000};
};

}  // namespace drive::testing
