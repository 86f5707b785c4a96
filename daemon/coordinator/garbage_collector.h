#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/env.h"
#include "daemon/coordinator/namespace.h"
#include "daemon/coordinator/node_registry.h"
#include "daemon/coordinator/node_transport.h"

namespace drive::coordinator {

struct GcOptions {
  // An unreferenced chunk is kept at least this long after its last
  // reference went (or, for a chunk never committed, after its newest copy
  // was stored): uploads in progress and resumable uploads rely on chunks
  // not yet committed. Default: 24 h.
  absl::Duration grace = absl::Hours(24);
  // How long a completed deletion's tombstone is kept. Commits of uploads
  // that started before the oldest erased tombstone are refused.
  // Default: 7 days.
  absl::Duration tombstone_retention = absl::Hours(24 * 7);
  // Entries per ListPgChunks page. Default: 2000.
  uint32_t list_page = 2000;
};

struct GcReportInfo {
  int64_t unix_ms = 0;
  bool dry_run = false;
  uint64_t trash_expired = 0;
  uint64_t chunks = 0;  // collected (or, dry run, collectable)
  uint64_t bytes = 0;
  uint64_t pending = 0;  // condemned, deletion not yet confirmed everywhere
};

// Garbage collection of trash and unreferenced chunks. Outline of a run:
//   1. expire trash entries past their retention (their chunks lose a
//      reference in the same batch);
//   2. list every PG on every live drive and pick the chunks no file
//      version references whose grace period is over;
//   3. condemn them in the namespace, atomically with respect to commits
//      (a chunk committed meanwhile is skipped): each gets a tombstone;
//   4. delete their copies on every live drive that lists them, only
//      copies stored before the condemnation (a copy a new upload wrote
//      later survives a late delete);
//   5. a chunk whose deletes all succeeded gets its tombstone completed; a
//      commit relying on copies found before that is refused (Namespace),
//      so an upload deduplicated onto a collected chunk never loses data;
//   6. tombstones older than the retention are erased.
// Copies on drives that were down are found by a later run as chunks with
// no reference, and collected then; anti-entropy never copies an
// unreferenced chunk, so nothing collected comes back. Thread-safe; runs
// are serialized. Not owned: registry, ns, transport, env.
class GarbageCollector {
 public:
  GarbageCollector(NodeRegistry* registry, Namespace* ns,
                   NodeTransport* transport, Env* env, GcOptions options);

  // One run; dry_run only reports what would go. Blocks.
  absl::StatusOr<GcReportInfo> Run(bool dry_run);
  GcReportInfo last() const;

 private:
  NodeRegistry* registry_;
  Namespace* ns_;
  NodeTransport* transport_;
  Env* env_;
  GcOptions options_;
  absl::Mutex run_mu_;
  mutable absl::Mutex mu_;
  GcReportInfo last_ ABSL_GUARDED_BY(mu_);
};

}  // namespace drive::coordinator
