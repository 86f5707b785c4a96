#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "daemon/coordinator/leadership.h"
#include "daemon/coordinator/meta_store.h"

namespace drive::coordinator {

// A MetaStore that fences the writes a coordinator makes as leader
// (docs/architecture.md, "Leader election and fencing"). A Commit made on a
// thread inside a LeaderScope of this store carries one more condition,
// "kLeaderKey is still at this term's revision", so it applies only while
// the term lasts in the store, whatever this process's clock believes: a
// leader paused past its lease and woken up cannot write. Commits outside
// any scope (node registration and heartbeats, which every coordinator
// takes) and all reads pass through unchanged; namespace writes enter a
// scope themselves (NamespaceOptions::leader_fence). Works on any backend whose
// leader key is written once per term (its mod revision is then its create
// revision). Thread-safe; `inner` and `leadership` are not owned and must
// outlive it.
class FencedMetaStore final : public MetaStore {
 public:
  FencedMetaStore(MetaStore* inner, const Leadership* leadership)
      : inner_(inner), leadership_(leadership) {}

  // Marks the calling thread as acting as leader through `store` for the
  // scope's lifetime; scopes nest. A null `store` makes a scope that does
  // nothing (a coordinator without election, e.g. on the embedded store).
  class LeaderScope {
   public:
    explicit LeaderScope(const FencedMetaStore* store);
    ~LeaderScope();
    LeaderScope(const LeaderScope&) = delete;
    LeaderScope& operator=(const LeaderScope&) = delete;

   private:
    const FencedMetaStore* previous_;
  };

  // Outside a scope: inner->Commit(batch). Inside one:
  //  - kAborted "not the leader" when leadership->Term() is nullopt
  //    (nothing is sent);
  //  - else the batch plus RequireRevision(kLeaderKey, term); when that
  //    condition fails, kAborted "not the leader" with the term that ended,
  //    nothing applied. Other results and errors are inner's.
  // The fence uses one condition of limits().max_ops.
  absl::StatusOr<int64_t> Commit(const MetaBatch& batch) override;

  absl::StatusOr<std::optional<MetaRecord>> Read(
      std::string_view key) override {
    return inner_->Read(key);
  }
  absl::Status ScanEntries(
      std::string_view prefix, std::string_view start,
      const std::function<bool(const MetaEntry&)>& fn) override {
    return inner_->ScanEntries(prefix, start, fn);
  }
  absl::Status Checkpoint(const std::string& dir) override {
    return inner_->Checkpoint(dir);
  }
  MetaLimits limits() const override { return inner_->limits(); }
  // inner's check; a fenced Commit carries one condition more.
  absl::Status CheckLimits(const MetaBatch& batch) const override {
    return inner_->CheckLimits(batch);
  }

 private:
  MetaStore* const inner_;
  const Leadership* const leadership_;
};

}  // namespace drive::coordinator
