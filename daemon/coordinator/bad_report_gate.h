#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <string>
#include <tuple>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/chunk_id.h"
#include "common/env.h"

namespace drive::coordinator {

struct BadReportOptions {
  // A copy (drive, account, chunk) reported again while its check runs, or
  // within this long after the check started, is not checked again.
  // Default: 10 min.
  absl::Duration recheck_after = absl::Minutes(10);
  // Checks one caller may start: a burst of this many, then `caller_rate`
  // per second on average. Default: 30 and 1.
  int caller_burst = 30;
  double caller_rate = 1;
  // Checks running at once over all callers (each reads up to 4 MiB on a
  // node and hashes it on the coordinator's pool). Default: 4.
  int max_running = 4;
};

// What to do with one report.
enum class BadReportVerdict {
  kCheck,        // start a check, then call Finished()
  kDuplicate,    // that copy is being or was just checked: nothing to do
  kBusy,         // max_running checks run: record the report, check later
  kRateLimited,  // the caller is over its rate: refuse the report
};

// Decides which reports of bad copies (ReportBadReplica) start a check of
// the copy on its drive, so that a reader cannot make the coordinator and
// a node read and hash the same chunk hundreds of times a second:
// deduplicates per copy while a check is pending or recent, rate-limits
// each caller with a token bucket and bounds the checks running at once.
// Reads time from the Env. Memory is bounded by the copies reported within
// recheck_after and the callers seen. Thread-safe.
class BadReportGate {
 public:
  BadReportGate(Env* env, BadReportOptions options);

  // `caller` identifies who reports (see CallerKey), the rest the copy.
  // kCheck books the check: the caller must call Finished() when it ends.
  BadReportVerdict Admit(const std::string& caller, const std::string& drive_id,
                         const std::string& account, const ChunkId& id);
  // The check Admit started for this copy has ended (whatever its result).
  void Finished(const std::string& drive_id, const std::string& account,
                const ChunkId& id);

  // Checks running now.
  int running() const;

 private:
  using CopyKey = std::tuple<std::string, std::string, ChunkId>;
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
  };

  // Drops copies checked longer ago than recheck_after and callers whose
  // bucket is full again.
  void Expire(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Adds the tokens earned since b.updated, up to caller_burst.
  void Refill(Bucket& b, absl::Time now) const;
  // Refills `b` up to now; true when it had a token, which is taken.
  bool TakeToken(Bucket& b, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Env* env_;
  const BadReportOptions options_;
  mutable absl::Mutex mu_;
  // Copies with a running or recent check: start time; `pending` while it
  // runs.
  struct Check {
    absl::Time started;
    bool pending = true;
  };
  std::map<CopyKey, Check> checks_ ABSL_GUARDED_BY(mu_);
  // Copies in order of their check's start, for expiry.
  std::deque<std::pair<absl::Time, CopyKey>> by_start_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Bucket> callers_ ABSL_GUARDED_BY(mu_);
  int running_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace drive::coordinator
