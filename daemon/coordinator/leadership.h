#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace drive::coordinator {

// The MetaStore key of the cluster's leader (etcd key PREFIX/leader): the
// leader's address, attached to its etcd lease and written once per term,
// so its revision is the term's fencing token
// (docs/architecture.md, "Leader election and fencing").
inline constexpr std::string_view kLeaderKey = "leader";

// Whether this coordinator may act as the cluster's single leader now:
// decide liveness, recompute placement, run repair, GC and backups.
// Implementations are thread-safe and never block.
class Leadership {
 public:
  virtual ~Leadership() = default;

  // The fencing token of this coordinator's current term (the revision at
  // which it created kLeaderKey) while it is leader, nullopt otherwise.
  // Turns nullopt as soon as the lease may have expired, whether or not
  // anything noticed yet.
  virtual std::optional<int64_t> Term() const = 0;

  bool is_leader() const { return Term().has_value(); }
};

// A coordinator that is always leader with a fixed term: the single
// coordinator on the embedded store (term 0: nothing to fence), and tests.
class FixedLeadership final : public Leadership {
 public:
  explicit FixedLeadership(std::optional<int64_t> term) : term_(term) {}
  std::optional<int64_t> Term() const override { return term_; }

 private:
  const std::optional<int64_t> term_;
};

}  // namespace drive::coordinator
