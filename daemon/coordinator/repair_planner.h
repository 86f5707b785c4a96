#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/env.h"
#include "common/executor.h"
#include "daemon/coordinator/loss_finder.h"
#include "daemon/coordinator/namespace.h"
#include "daemon/coordinator/node_registry.h"
#include "daemon/coordinator/node_transport.h"

namespace drive::coordinator {

struct RepairOptions {
  // PullChunks calls in flight per receiving drive. Default: 2.
  int pulls_per_drive = 2;
  // PullChunks calls in flight in the whole cluster; the executor given to
  // the planner needs at least this many threads. Default: 8.
  int max_pulls = 8;
  // Chunks per PullChunks call (each up to 4 MiB). Default: 8.
  int tasks_per_pull = 8;
  // Entries per ListPgChunks page. Default: 2000.
  uint32_t list_page = 2000;
};

// What the last sweep knows about a PG.
enum class PgSync {
  kUnknown,    // not swept since the coordinator started, or changed since
  kSynced,     // all six members up and holding every referenced chunk
  kNeedsWork,  // copies missing, a member unreachable, or strays to clean
};

// Missing copies of one risk class.
struct BacklogEntry {
  std::string risk;  // "one-region" or "copies-N"
  uint64_t pgs = 0;
  uint64_t chunks = 0;
  uint64_t bytes = 0;
  std::string blocked;  // why it waits, if it cannot be repaired now
};

struct RepairStatusInfo {
  std::vector<BacklogEntry> backlog;  // repair order: riskiest first
  uint64_t copied_chunks = 0;
  uint64_t copied_bytes = 0;
  uint64_t failed_copies = 0;
  double rate_bytes_per_s = 0;
  double eta_s = -1;
  int64_t last_sweep_ms = 0;
  uint32_t pgs_checked = 0;
  uint64_t strays_removed = 0;
  bool running = false;
  // Referenced chunks no drive holds (LossReport), and the files using them.
  LossReport lost;
};

struct PgReport {
  uint32_t pg = 0;
  PgSync sync = PgSync::kUnknown;
  uint64_t missing_copies = 0;
  uint64_t chunks = 0;
};

struct DrainProgress {
  std::string drive_id;
  uint64_t chunks_left = 0;
  uint64_t bytes_left = 0;
  bool done = false;
};

// What one sweep did.
struct SweepSummary {
  uint32_t pgs_checked = 0;
  uint32_t pgs_listed = 0;
  uint64_t copies_planned = 0;
  uint64_t copies_made = 0;
  uint64_t copies_failed = 0;
  uint64_t strays_removed = 0;
  uint64_t blocked_copies = 0;  // missing on drives that are unreachable
  // PGs this sweep could not check (a listing failed, or the lost-chunk
  // check did not finish there); nothing is known about them.
  uint32_t pgs_unchecked = 0;
  uint64_t lost_chunks = 0;  // referenced, and on no drive (LossFinder)
  // PGs with referenced chunks and a member that did not answer.
  uint32_t pgs_blocked = 0;
  // Whether another sweep may find more to do right away: this one made
  // or failed copies (their extra copies elsewhere can go next), removed
  // strays, or saw copies it could not make.
  bool found_work() const {
    return copies_planned > 0 || strays_removed > 0 || blocked_copies > 0;
  }
  // Whether the sweep found every referenced chunk on every drive of its
  // PG: nothing to copy, nothing blocked, lost or left unchecked.
  bool clean() const {
    return copies_planned == 0 && blocked_copies == 0 && pgs_blocked == 0 &&
           pgs_unchecked == 0 && lost_chunks == 0;
  }
};

// Anti-entropy and backfill, planned by the coordinator and executed by the
// nodes. Outline of a sweep:
//   1. fetch every live drive's PG digests (one call per drive);
//   2. a PG whose six members are up with equal digests and no other live
//      drive holds its chunks is in sync; the others (and PGs whose digests
//      changed since a sweep found nothing to do) are listed on every live
//      member and on the strays that hold chunks of it;
//   3. for every chunk some file version references (never for
//      unreferenced ones: that is garbage collection's, and copying them
//      could resurrect what it removed), each live member lacking it gets a
//      pull task whose sources are the drives holding it;
//   4. tasks run riskiest first: chunks with copies in one region only,
//      then with the fewest copies, then with the oldest verification;
//      PullChunks batches go to the receiving nodes, a bounded number per
//      drive and overall, and the nodes throttle their own bytes/s;
//   5. copies on drives outside the PG's placement (after a remap or
//      during a drain) are deleted only where all six members hold the
//      chunk, so no step lowers a chunk's number of copies;
//   6. a draining drive whose referenced chunks were all held by their
//      PGs' members at listing time is marked out;
//   7. alongside steps 1-3, referenced chunks that no drive holds at all
//      are found (LossFinder): nothing can copy them, so they are reported
//      as lost instead.
// Everything is recomputed from the drives on each sweep, so a restart of
// the coordinator or a node loses no repair work. Thread-safe; sweeps are
// serialized. registry, ns, transport, executor and env are not owned.
class RepairPlanner {
 public:
  RepairPlanner(NodeRegistry* registry, Namespace* ns, NodeTransport* transport,
                Executor* executor, Env* env, RepairOptions options);

  // Runs one sweep, including its copies. Blocks.
  absl::StatusOr<SweepSummary> Sweep();
  // Runs a sweep that starts only once every node heard from recently has
  // reported to the registry again after this call (or fell silent for
  // the registry's down_after), so that the sweep sees the drives as they
  // are now: a node restarted with an empty disk a moment ago is reached at
  // its new address, not judged by its previous process. What an operator
  // waits for after a disk swap. Waits at most `report_timeout` for the
  // reports, then sweeps anyway. Blocks.
  absl::StatusOr<SweepSummary> SweepAfterReports(absl::Duration report_timeout);

  // Makes a running sweep stop after the copies in flight (for shutdown);
  // later sweeps return kCancelled at once.
  void Stop() { stopping_ = true; }

  RepairStatusInfo Status() const;
  PgSync SyncOf(uint32_t pg) const;
  // A commit left copies missing in `pg`: forget that it was in sync.
  void MarkDirty(uint32_t pg);
  std::vector<PgReport> Pgs() const;
  std::vector<DrainProgress> Drains() const;
  // Whether the last check found the chunk referenced and on no drive.
  bool IsLost(const std::string& account, const ChunkId& id) const {
    return loss_.IsLost(account, id);
  }

 private:
  struct Plan;
  struct Batch;
  // Digest fingerprint of the PG's holders when a sweep found nothing to do.
  struct PgMemo {
    PgSync sync = PgSync::kUnknown;
    std::string fingerprint;  // empty: list again
    uint64_t missing = 0;
    uint64_t chunks = 0;
    bool complete = false;  // six members, all reachable, at planning time
  };
  struct PgHolders;
  struct SeenChunk;
  // Plans one PG: counts copies blocked on unreachable members, skips a PG
  // in sync or unchanged since a sweep found nothing to do, else lists it
  // on its holders and plans copies, stray deletes and drain progress.
  // Errors of a listing or a reference lookup leave the PG unchecked.
  absl::Status PlanPg(
      uint32_t pg, const ClusterView& view,
      const std::map<std::string, std::vector<PgDigestInfo>>& digests,
      Plan* plan);
  static void CountBlocked(const PgHolders& h, const PlacementMap& map,
                           Plan* plan);
  // What PlanPg remembers of a PG that needed nothing; empty when the
  // referenced chunks are not known.
  std::string Fingerprint(const PgHolders& h);
  // Every chunk the PG's live holders list, by account and id.
  absl::StatusOr<std::map<std::string, SeenChunk>> ListHolders(
      const PgHolders& h);
  // Plans copies of a referenced chunk onto the live members lacking it;
  // returns how many lack it.
  static size_t PlanCopies(const PgHolders& h, const SeenChunk& s, Plan* plan);
  static std::vector<const DriveView*> OrderSources(const PgHolders& h,
                                                    const SeenChunk& s,
                                                    const DriveView& target);
  // Copies of a referenced chunk outside placement: deleted when every
  // member holds it (`all_placed`), else counted against a drain. Returns
  // the deletes planned.
  static size_t PlanStrayCopies(const PgHolders& h, const SeenChunk& s,
                                bool all_placed, Plan* plan);
  // Orders the plan's tasks and groups them into PullChunks batches per
  // target; moves the tasks out of the plan.
  std::vector<Batch> MakeBatches(Plan* plan) const;
  // Runs the batches; returns the PGs of which some copy failed.
  std::set<uint32_t> RunBatches(std::vector<Batch> batches,
                                SweepSummary* summary);
  uint64_t RemoveStrays(const Plan& plan);

  NodeRegistry* registry_;
  Namespace* ns_;
  NodeTransport* transport_;
  Executor* executor_;
  Env* env_;
  RepairOptions options_;
  LossFinder loss_;  // checks run inside sweeps

  std::atomic<bool> stopping_{false};
  absl::Mutex sweep_mu_;  // one sweep at a time
  mutable absl::Mutex mu_;
  std::vector<PgMemo> pgs_ ABSL_GUARDED_BY(mu_);
  std::set<uint32_t> dirtied_ ABSL_GUARDED_BY(mu_);  // since the sweep began
  RepairStatusInfo status_ ABSL_GUARDED_BY(mu_);
  std::vector<DrainProgress> drains_ ABSL_GUARDED_BY(mu_);
};

}  // namespace drive::coordinator
