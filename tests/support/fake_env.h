#pragma once

#include <atomic>

#include "common/env.h"

namespace drive::testing {

// An Env whose free space and clock the test sets. Thread-safe.
class FakeEnv : public Env {
 public:
  absl::StatusOr<DiskSpace> GetDiskSpace(const std::string&) override {
    return DiskSpace{free_bytes_.load(), capacity_bytes_.load()};
  }
  absl::Time Now() override { return absl::FromUnixSeconds(now_s_.load()); }

  void SetFreeBytes(uint64_t b) { free_bytes_ = b; }
  void AdvanceSeconds(int64_t s) { now_s_ += s; }

 private:
  std::atomic<uint64_t> free_bytes_{1ull << 40};
  std::atomic<uint64_t> capacity_bytes_{2ull << 40};
  std::atomic<int64_t> now_s_{1'800'000'000};
};

}  // namespace drive::testing
