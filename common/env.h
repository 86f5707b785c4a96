#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace drive {

// Space on the filesystem that holds a path.
struct DiskSpace {
  uint64_t free_bytes = 0;      // available to this process (statvfs f_bavail)
  uint64_t capacity_bytes = 0;  // total size of the filesystem
};

// Seam for side effects on the machine that RocksDB does not already route
// through its own Env: free-space queries, the wall clock and waits on it.
// Production code takes an Env* in its constructor; tests pass a fake.
// Implementations are thread-safe.
class Env {
 public:
  virtual ~Env() = default;
  // Free and total bytes of the filesystem holding `path`. kNotFound when the
  // path does not exist.
  virtual absl::StatusOr<DiskSpace> GetDiskSpace(const std::string& path) = 0;
  // Current wall-clock time.
  virtual absl::Time Now() = 0;
  // With `mu` held, waits until `condition` holds or this clock reaches
  // `deadline` (absl::Mutex::AwaitWithDeadline on this clock): a timed
  // wait that a signal under `mu` ends at once. Returns whether
  // `condition` holds; `mu` is held again on return.
  virtual bool AwaitWithDeadline(absl::Mutex* mu,
                                 const absl::Condition& condition,
                                 absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) = 0;
  // Blocks the calling thread for `d` (returns at once when d <= 0). Fakes
  // advance their clock instead, so paced code runs without waiting.
  virtual void SleepFor(absl::Duration d) = 0;

  // The process-wide POSIX implementation; never null, never destroyed.
  static Env* Default();
};

}  // namespace drive
