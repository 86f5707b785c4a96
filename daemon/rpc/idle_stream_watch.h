#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/env.h"

namespace drive::rpc {

// Keeps the set of open client streams a node is reading (PutChunk), bounds
// how many may be open at once, and tells a stream when no message arrived
// for `idle_timeout`, so a client that opens a stream and goes quiet cannot
// hold its buffers for ever. Checks on its own thread a few times per
// timeout (at least every second). Thread-safe.
class IdleStreamWatch {
 public:
  // What a watched stream does when it went idle.
  class Stream {
   public:
    virtual ~Stream() = default;
    // Called at most once, on the watch's thread, without the watch's lock;
    // the stream should cancel itself. Must not block.
    virtual void OnIdle() = 0;
  };

  // idle_timeout > 0; max_streams >= 1. Checks every `check_every` (zero:
  // a quarter of the timeout, within 10 ms..1 s). `env` (the clock) is not
  // owned.
  IdleStreamWatch(Env* env, absl::Duration idle_timeout, size_t max_streams,
                  absl::Duration check_every = absl::ZeroDuration());
  // Stops the thread. Streams still registered are not told anything.
  ~IdleStreamWatch();

  // Starts watching `s`, idle from now. False (and not watched) when
  // max_streams streams are watched already.
  bool Add(Stream* s);
  // A message arrived on `s`: idle from now.
  void Touch(Stream* s);
  // Stops watching `s` (no-op if not watched). After it returns, OnIdle is
  // neither running for `s` (unless on the calling thread) nor will it be
  // called, so `s` may be destroyed.
  void Remove(Stream* s);

  size_t size() const;
  absl::Duration idle_timeout() const { return idle_timeout_; }

 private:
  void Loop();
  // Streams idle at `now`, each marked so that it is told only once.
  std::set<Stream*> TakeIdle(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Env* env_;
  const absl::Duration idle_timeout_;
  const size_t max_streams_;
  const absl::Duration check_every_;

  mutable absl::Mutex mu_;
  // Last message time per watched stream.
  std::map<Stream*, absl::Time> streams_ ABSL_GUARDED_BY(mu_);
  // Streams whose OnIdle runs now (Remove waits for them).
  std::set<Stream*> calling_ ABSL_GUARDED_BY(mu_);
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace drive::rpc
