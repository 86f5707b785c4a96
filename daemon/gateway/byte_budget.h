#pragma once

// An asynchronous counting semaphore over bytes: bounds the memory that
// downloads hold in chunk buffers which the chunk cache does not own, so
// that many slow clients cannot make the gateway hold unbounded data.
// Grants are FIFO (a large request is not starved by small ones).
// Thread-safe.

#include <cstdint>
#include <deque>
#include <functional>

#include "absl/synchronization/mutex.h"

namespace drive::gateway {

class ByteBudget {
 public:
  explicit ByteBudget(uint64_t capacity_bytes) : capacity_(capacity_bytes) {}

  // Reserves `bytes` (clamped to the capacity, so one request always fits)
  // and then runs `granted`: right away on the calling thread if the bytes
  // are free and nobody waits, else later on the thread whose Release
  // frees them. `granted` must not block.
  void Acquire(uint64_t bytes, std::function<void()> granted);
  // Returns bytes reserved by an earlier Acquire of the same (clamped)
  // amount, granting waiters in order.
  void Release(uint64_t bytes);
  // The amount Acquire(bytes) actually reserves.
  uint64_t Clamp(uint64_t bytes) const {
    return bytes < capacity_ ? bytes : capacity_;
  }

  uint64_t in_use() const;
  size_t waiting() const;

 private:
  struct Waiter {
    uint64_t bytes;
    std::function<void()> granted;
  };
  const uint64_t capacity_;
  mutable absl::Mutex mu_;
  uint64_t in_use_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<Waiter> waiters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace drive::gateway
