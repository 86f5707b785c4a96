#include "daemon/coordinator/fenced_meta_store.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace drive::coordinator {
namespace {

// The store the calling thread acts as leader through, if any. Per thread
// because one coordinator process serves unfenced RPCs (registration,
// heartbeats) and runs leader-only work (always fenced) on the same stores.
thread_local const FencedMetaStore* acting_for = nullptr;

}  // namespace

FencedMetaStore::LeaderScope::LeaderScope(const FencedMetaStore* store)
    : previous_(acting_for) {
  if (store != nullptr) acting_for = store;
}

FencedMetaStore::LeaderScope::~LeaderScope() { acting_for = previous_; }

absl::StatusOr<int64_t> FencedMetaStore::Commit(const MetaBatch& batch) {
  if (acting_for != this) return inner_->Commit(batch);
  std::optional<int64_t> term = leadership_->Term();
  if (!term.has_value()) {
    return absl::AbortedError(
        "not the leader: leader-only write refused; nothing written");
  }
  MetaBatch fenced = batch;
  fenced.RequireRevision(std::string(kLeaderKey), *term);
  absl::StatusOr<int64_t> result = inner_->Commit(fenced);
  if (!absl::IsAborted(result.status())) return result;
  // Tell a lost term from the caller's own conditions failing. The leader
  // key never returns to a revision once it left it, so "not at the term
  // now" means the term had ended when the commit was refused.
  DRIVE_ASSIGN_OR_RETURN(auto leader, inner_->Read(kLeaderKey));
  int64_t now = leader.has_value() ? leader->revision : kAbsentRevision;
  if (now == *term) return result;
  return absl::AbortedError(absl::StrCat("not the leader: term ", *term,
                                         " has ended (leader key at revision ",
                                         now, "); nothing written"));
}

}  // namespace drive::coordinator
