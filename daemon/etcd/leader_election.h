#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "daemon/coordinator/leadership.h"
#include "daemon/etcd/etcd_meta_store.h"

namespace drive::etcd {

class EtcdClient;

struct LeaderElectionOptions {
  // The etcd cluster and prefix; the leader key is PREFIX/leader
  // (coordinator::kLeaderKey), beside the MetaStore's keys.
  EtcdTarget target;
  // This candidate's value of the leader key, e.g. its gRPC address.
  // Non-empty.
  std::string candidate;
  // Lease time to live, whole seconds, 1 s..1 h. etcd raises a TTL below
  // its minimum (1.5 x election timeout, 2 s with etcd's defaults); the
  // granted TTL is what counts. A dead leader is replaced within about
  // TTL + TTL/5 + etcd's 0.5 s expiry check. Default: 5 s.
  absl::Duration ttl = absl::Seconds(5);
};

// What this process last learned about the leader key.
struct LeaderState {
  bool self = false;   // this candidate leads (and its lease has not lapsed)
  std::string leader;  // the leader key's value; empty when there is none
  int64_t term = 0;    // the leader key's create revision; 0 when none
};

// Campaigns for the cluster's single leader key on etcd and keeps it
// (docs/architecture.md, "Leader election and fencing"):
//  1. As follower, read the leader key every TTL/5 (polling, not Watch).
//  2. When it is absent, grant a lease of TTL and create the key in a Txn
//     guarded by "create_revision == 0", attached to the lease. Winning
//     starts a term whose fencing token is the key's create revision.
//  3. As leader, keep the lease alive every TTL/3. Each keep-alive moves
//     the local expiry to (time it was SENT) + granted TTL; the lease lived
//     at least that long at etcd, so Term() is nullopt from the first
//     moment it may have expired, even while nothing runs (SIGSTOP).
//  4. At that moment, or when etcd reports the lease gone, step down:
//     revoke the lease (best effort), notify, and go back to 1.
// One thread of its own runs the loop. Thread-safe.
class LeaderElection final : public coordinator::Leadership {
 public:
  // Called on the election's thread when this process becomes leader
  // (true, its term) or steps down (false, the term that ended). It must
  // not block for long: keep-alives wait for it.
  using ChangeFn = std::function<void(bool leader, int64_t term)>;

  // Starts campaigning at once. kInvalidArgument for bad options.
  static absl::StatusOr<std::unique_ptr<LeaderElection>> Start(
      LeaderElectionOptions options, ChangeFn on_change = nullptr);
  // Stops the loop; a leader revokes its lease so another takes over at
  // once (unless AbandonForTesting was called).
  ~LeaderElection() override;

  std::optional<int64_t> Term() const override;
  LeaderState state() const;
  // Blocks until this process is leader or `timeout` passes; whether it is.
  bool WaitForLeadership(absl::Duration timeout) const;
  // The granted lease TTL of the current or last term (the requested TTL
  // before any).
  absl::Duration ttl() const;

  // Freezes the loop as SIGSTOP would (no keep-alive, no polling) until
  // called with false.
  void PauseForTesting(bool paused);
  // Makes the destructor leave the lease to expire, like a crash.
  void AbandonForTesting();

 private:
  using Clock = std::chrono::steady_clock;

  LeaderElection(LeaderElectionOptions options, ChangeFn on_change);
  void Loop();
  void Follow();
  void Campaign();
  void Lead();
  void StepDown(const char* why);
  // Waits up to `d`; returns early, false, when stopping or paused.
  bool Wait(absl::Duration d);

  const LeaderElectionOptions options_;
  const std::string key_;  // the etcd key
  const ChangeFn on_change_;
  std::unique_ptr<EtcdClient> client_;

  mutable absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
  bool abandon_ ABSL_GUARDED_BY(mu_) = false;
  bool leading_ ABSL_GUARDED_BY(mu_) = false;
  int64_t lease_ ABSL_GUARDED_BY(mu_) = 0;
  // Local time at which the lease may have expired at etcd.
  Clock::time_point expiry_ ABSL_GUARDED_BY(mu_);
  absl::Duration granted_ttl_ ABSL_GUARDED_BY(mu_);
  LeaderState seen_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace drive::etcd
