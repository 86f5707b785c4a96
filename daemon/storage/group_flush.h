#pragma once

#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace drive::storage {

// Group commit for writes made without a WAL: a write is durable once a
// memtable flush that started after it has finished (the flush fsyncs the
// SST, the blob file and the MANIFEST). Writers take a ticket after their
// write is visible, then wait; the first waiter becomes the leader, flushes
// everything written so far in one go and wakes all writers it covered,
// while writers arriving meanwhile queue for the next round. There is no
// background thread. Thread-safe; WaitDurable blocks.
class GroupFlush {
 public:
  // `flush` must make every write visible before the call durable, and block.
  explicit GroupFlush(std::function<absl::Status()> flush);

  // Call after a write (or a read that relies on another writer's write) is
  // visible; returns the ticket to wait for.
  uint64_t TakeTicket();
  // Blocks until a flush covering `ticket` has finished. After any flush
  // fails, this returns that error for every ticket not yet durable, now and
  // later: a write is never reported durable unless it is (the drive must be
  // reopened to recover).
  absl::Status WaitDurable(uint64_t ticket);
  // Number of flushes run; each covers one or more tickets.
  uint64_t rounds() const;

 private:
  std::function<absl::Status()> flush_;
  mutable absl::Mutex mu_;
  uint64_t issued_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t durable_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status sticky_error_ ABSL_GUARDED_BY(mu_);
  bool flushing_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t rounds_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace drive::storage
