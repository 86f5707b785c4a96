#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/chunk_id.h"
#include "common/env.h"
#include "common/executor.h"
#include "common/rate_limiter.h"
#include "common/scrub_progress.h"
#include "daemon/storage/chunk_store.h"

namespace drive::scrubber {

struct ScrubOptions {
  // Every copy must be re-verified within this long. The scrubber paces a
  // pass to take half of it, so one slow or interrupted pass still meets
  // it. Default: 14 days.
  absl::Duration deadline = absl::Hours(24 * 14);
  // The fastest a drive is scrubbed in the background, bytes/s (reads
  // compete with uploads and downloads); 0 turns background scrubbing off
  // (passes run only on demand). Default: 64 MiB/s.
  double max_rate_bytes = 64.0 * (1 << 20);
  // The slowest pace, bytes/s, so small drives are re-verified often.
  // Default: 4 MiB/s.
  double min_rate_bytes = 4.0 * (1 << 20);
};

// Where a good copy of a chunk comes from when the local one is bad: the
// other drives of the chunk's PG. Implementations are thread-safe.
class ChunkRepairSource {
 public:
  virtual ~ChunkRepairSource() = default;
  // The chunk's raw bytes from another drive (the caller verifies them
  // again when storing). kNotFound / kUnavailable / kDataLoss when no
  // other drive could supply a good copy.
  virtual absl::StatusOr<std::string> FetchGoodCopy(std::string_view account,
                                                    const ChunkId& id) = 0;
};

// What one call found.
struct ScrubResult {
  uint64_t verified_chunks = 0;
  uint64_t verified_bytes = 0;
  uint64_t corrupt_found = 0;
  uint64_t repaired = 0;
  bool pass_completed = false;
};

// Scrubs one drive. Outline of a step:
//   1. take the next index entries after the persisted cursor;
//   2. read each chunk through ChunkStore::Get, which hashes every byte
//      against the id;
//   3. on any read error but "not found" (the chunk was deleted meanwhile),
//      quarantine the copy (out of service, evidence kept), fetch a good
//      copy from the PG's other drives and store it (Put verifies it
//      again); a failed fetch leaves the chunk missing, which anti-entropy
//      repairs once any good copy is reachable;
//   4. persist the cursor; at the end of the index the pass is complete,
//      its start time becomes the drive's "oldest verification", and the
//      next pass starts.
// The cursor and pass times live in the drive itself ("m/scrub"), so a
// restart resumes where it stopped. Thread-safe; steps are serialized.
class DriveScrubber {
 public:
  // store, source and env are not owned and must outlive the scrubber.
  DriveScrubber(std::string drive, storage::ChunkStore* store,
                ChunkRepairSource* source, Env* env, ScrubOptions options);

  // Reads the persisted state (first use: records the drive's creation).
  absl::Status Load();
  // Verifies chunks from the cursor on until about `max_bytes` were read
  // or the pass completes. Blocks on disk and on repair fetches.
  absl::StatusOr<ScrubResult> Step(uint64_t max_bytes);
  // Runs a whole pass from the start of the index, unthrottled; it counts
  // as a completed pass. Blocks.
  absl::StatusOr<ScrubResult> RunPass();
  // Verifies one copy now, as a step would: OK, kNotFound, or kDataLoss
  // when it was bad (then quarantined and, if a peer had a good copy,
  // repaired; the message says which). Blocks.
  absl::Status Check(std::string_view account, const ChunkId& id);
  ScrubProgress Progress() const;
  // The background pace, bytes/s: the drive's bytes over half the
  // deadline, clamped to [min_rate_bytes, max_rate_bytes].
  double Pace() const;
  // When the background may go on: now while a pass is under way or the
  // drive was never scrubbed, else half a deadline after the last
  // completed pass started. Passes start at most every half deadline, so
  // a drive that the min_rate floor scrubs in minutes is not re-read
  // around the clock, and each copy is still checked well within the
  // deadline.
  absl::Time NextPassDue() const;
  const std::string& drive() const { return drive_; }
  // Makes steps and passes in progress end early with kCancelled, and
  // every later one at once (shutdown).
  void Cancel() { cancelled_ = true; }

 private:
  struct State {
    std::string cursor;               // last index key verified in this pass
    int64_t pass_started_s = 0;       // start of the current (next) pass
    int64_t last_pass_started_s = 0;  // start of the last completed pass
    int64_t created_s = 0;            // first Load on this drive
    uint64_t passes = 0;
    uint64_t pass_bytes = 0;  // verified in the current pass
  };
  absl::StatusOr<ScrubResult> StepLocked(uint64_t max_bytes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(step_mu_);
  // Verifies one copy; quarantines and repairs it when bad. Returns what
  // Check() returns.
  absl::Status VerifyOne(std::string_view account, const ChunkId& id,
                         uint32_t pg, ScrubResult* r);
  // Writes state_ to the drive (synced).
  absl::Status Persist() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  double PaceFor(uint64_t logical_bytes) const;

  const std::string drive_;
  storage::ChunkStore* store_;
  ChunkRepairSource* source_;
  Env* env_;
  const ScrubOptions options_;

  std::atomic<bool> cancelled_{false};
  absl::Mutex step_mu_;     // one step (or pass) at a time
  mutable absl::Mutex mu_;  // state_ and counters, for Progress()
  State state_ ABSL_GUARDED_BY(mu_);
  ScrubProgress totals_ ABSL_GUARDED_BY(mu_);
};

// Runs one DriveScrubber per drive in the background, each on its own
// thread at its own pace (drives are separate disks). Thread-safe.
class Scrubber {
 public:
  // Loads every drive's state. The drives and source must outlive it.
  static absl::StatusOr<std::unique_ptr<Scrubber>> Create(
      const std::vector<std::pair<std::string, storage::ChunkStore*>>& drives,
      ChunkRepairSource* source, Env* env, ScrubOptions options);
  ~Scrubber();  // Stop()s

  // Ends the background loops (waiting for them) and cancels passes in
  // progress, e.g. a ScrubNow on another thread. Idempotent.
  void Stop();

  // Starts the background passes, one long-running task per drive on
  // `executor` (which needs a thread per drive and must outlive this).
  void Start(Executor* executor);
  // Runs a full unthrottled pass on `drive` ("" = every drive, one after
  // another) and returns the sum of what was found. kNotFound for an
  // unknown drive. Blocks until done.
  absl::StatusOr<ScrubResult> ScrubNow(const std::string& drive);
  std::vector<ScrubProgress> Progress() const;
  // DriveScrubber::Check on the named drive; kNotFound for an unknown one.
  absl::Status Check(const std::string& drive, std::string_view account,
                     const ChunkId& id);

 private:
  Scrubber() = default;
  void Loop(DriveScrubber* d);

  ScrubOptions options_;
  Env* env_ = nullptr;
  std::vector<std::unique_ptr<DriveScrubber>> drives_;
  std::vector<std::unique_ptr<RateLimiter>> limiters_;
  absl::Notification stop_;
  absl::Mutex running_mu_;
  int running_ ABSL_GUARDED_BY(running_mu_) = 0;  // loops not yet returned
};

}  // namespace drive::scrubber
