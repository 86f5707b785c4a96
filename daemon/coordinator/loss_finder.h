#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/chunk_id.h"
#include "common/pg_digest.h"
#include "daemon/coordinator/namespace.h"
#include "daemon/coordinator/node_registry.h"
#include "daemon/coordinator/node_transport.h"

namespace drive::coordinator {

// What the last check found: chunks some file version references that no
// reachable drive holds, although every drive of their PG answered. Their
// bytes are gone unless a drive that is out comes back.
struct LossReport {
  uint64_t chunks = 0;
  // Files and trash entries using them, "account/path", at most
  // kMaxFilesListed; files_total counts them all.
  std::vector<std::string> files;
  uint64_t files_total = 0;
  // PGs whose last check did not finish (a listing failed, or the
  // referenced set changed meanwhile); their earlier findings stand.
  uint32_t pgs_unchecked = 0;
  // PGs with referenced chunks and a drive that did not answer: a copy may
  // be there; they are checked once it answers.
  uint32_t pgs_blocked = 0;
  static constexpr size_t kMaxFilesListed = 100;
};

// Finds lost chunks for the repair planner; repair only ever compares the
// copies drives hold, so a chunk missing from all of them is invisible to
// it. Outline of one check (Begin, CheckPg for every PG, Finish):
//   1. Begin, before the drives' digests are taken: the PG digest of the
//      referenced chunks of every PG (docs/formats/pg-digest.md), rescanned
//      only when the coordinator's store was written since the last scan;
//   2. CheckPg, for a PG whose drives all answered: nothing is lost if a
//      drive's digest equals the referenced digest, or no chunk is
//      referenced; the earlier finding stands if the digests are those of
//      the last check; otherwise every drive holding chunks of the PG
//      lists them;
//   3. Finish: a second scan of the references finds those of the listed
//      PGs that no listing holds. A PG whose referenced digest changed
//      since step 1 is left for the next check: a commit after the
//      listings could name chunks written after them. Otherwise every
//      chunk referenced at step 1, before the digests and listings, was on
//      a write quorum then, so absence from every listing means loss;
//   4. the files using lost chunks are looked up only when some are lost.
// Checks are serialized by the caller (one sweep at a time); IsLost and
// Report are thread-safe. ns and transport are not owned.
class LossFinder {
 public:
  LossFinder(Namespace* ns, NodeTransport* transport, uint32_t list_page)
      : ns_(ns), transport_(transport), list_page_(list_page) {}

  // Step 1. On an error the check is skipped (Finish reports every PG
  // unchecked) and the error is returned.
  absl::Status Begin(uint32_t pg_count);
  // Step 2 for one PG of `view`'s map. `digests` holds the drives that
  // answered this sweep (drive id -> digest per PG).
  void CheckPg(uint32_t pg, const ClusterView& view,
               const std::map<std::string, std::vector<PgDigestInfo>>& digests);
  // Steps 3 and 4; publishes the findings.
  absl::Status Finish();

  // The referenced chunks' digest of `pg` as of this check's Begin, as a
  // string that changes whenever they do; empty when Begin failed.
  std::string ReferencedFingerprint(uint32_t pg) const;

  bool IsLost(const std::string& account, const ChunkId& id) const;
  LossReport Report() const;

 private:
  using Key = std::pair<std::string, ChunkId>;  // account, id
  struct PgState {
    std::string fingerprint;  // referenced + holder digests last checked
    std::vector<Key> lost;
  };
  struct Listed {
    std::string fingerprint;
    std::set<Key> held;  // on any drive that answered
  };

  Namespace* ns_;
  NodeTransport* transport_;
  uint32_t list_page_;

  // One check's state (owned by the sweep in progress).
  bool began_ = false;
  uint64_t refs_generation_ = UINT64_MAX;  // of refs_by_pg_
  std::vector<PgDigest> refs_by_pg_;
  std::map<uint32_t, Listed> listed_;
  std::set<uint32_t> unchecked_;
  uint32_t blocked_ = 0;
  std::vector<PgState> pgs_;
  uint64_t files_generation_ = UINT64_MAX;  // of the published file list

  mutable absl::Mutex mu_;
  std::set<Key> lost_ ABSL_GUARDED_BY(mu_);
  LossReport report_ ABSL_GUARDED_BY(mu_);
};

}  // namespace drive::coordinator
