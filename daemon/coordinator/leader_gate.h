#pragma once

#include <functional>

#include "daemon/coordinator/fenced_meta_store.h"
#include "daemon/coordinator/leadership.h"

namespace drive::coordinator {

// Runs the work only the cluster's leader does (liveness, repair sweeps, GC,
// backups) as the leader would, or not at all on a follower
// (docs/architecture.md, "Leader election and fencing"). Thread-safe;
// `leadership` and `fenced` are not owned and must outlive it.
class LeaderGate {
 public:
  // `fenced` is the store the leader writes through, or null when there is
  // nothing to fence (one coordinator on the embedded store).
  LeaderGate(const Leadership* leadership, const FencedMetaStore* fenced)
      : leadership_(leadership), fenced_(fenced) {}

  // False, without calling `fn`, while this coordinator is not the leader;
  // else fn()'s result, with fn's commits fenced to the current term.
  bool Run(const std::function<bool()>& fn) const;

  bool is_leader() const { return leadership_->is_leader(); }

 private:
  const Leadership* const leadership_;
  const FencedMetaStore* const fenced_;
};

}  // namespace drive::coordinator
