#pragma once

#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "daemon/coordinator/leader_gate.h"
#include "daemon/coordinator/node_registry.h"

namespace drive::coordinator {

// The leader's liveness clock: every `period` (twice a second in drived) it
// applies the registry's down/out timeouts (NodeRegistry::Tick). A
// coordinator that has just become leader first takes the registry over as
// stored (epoch, operator sets, nodes), every node counted as just heard
// from, so that the takeover itself marks nobody down; on a follower it
// does nothing. `registry` and `leader` are not owned and must outlive it.
class LivenessTicker {
 public:
  // `loaded_as_leader`: the registry was loaded by a coordinator that leads
  // from the start (no election), so its first tick needs no reload.
  LivenessTicker(NodeRegistry* registry, const LeaderGate* leader,
                 bool loaded_as_leader,
                 absl::Duration period = absl::Milliseconds(500));
  // Stop().
  ~LivenessTicker();
  LivenessTicker(const LivenessTicker&) = delete;
  LivenessTicker& operator=(const LivenessTicker&) = delete;

  // Starts the ticking thread. Call once.
  void Start();
  // Stops ticking and joins the thread; a tick in progress finishes first.
  // Idempotent.
  void Stop();

 private:
  void Loop();

  NodeRegistry* const registry_;
  const LeaderGate* const leader_;
  const bool loaded_as_leader_;
  const absl::Duration period_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace drive::coordinator
