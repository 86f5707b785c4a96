#pragma once

#include <atomic>

#include "common/env.h"

namespace drive::testing {

// An Env whose free space and clock the test sets; SleepFor advances the
// clock instead of waiting and adds to slept(). Thread-safe.
class FakeEnv : public Env {
 public:
  absl::StatusOr<DiskSpace> GetDiskSpace(const std::string&) override {
    return DiskSpace{free_bytes_.load(), capacity_bytes_.load()};
  }
  absl::Time Now() override { return absl::FromUnixNanos(now_ns_.load()); }
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
