#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/env.h"
#include "common/placement_map.h"
#include "common/scrub_progress.h"
#include "daemon/coordinator/meta_store.h"

namespace drive::coordinator {

// Usage of one drive as its node reports it.
struct DriveReport {
  std::string name;
  uint64_t capacity_bytes = 0;
  uint64_t free_bytes = 0;
  uint64_t chunks = 0;
  uint64_t logical_bytes = 0;
  ScrubProgress scrub = {};
  // Set when the node could not open the drive (e.g. its RocksDB files are
  // damaged): why. A failed drive holds nothing the cluster can use.
  std::string error = {};
};

// What a node says about itself when it registers.
struct NodeRecord {
  std::string node;
  std::string address;
  std::string region;
  std::string zone;
  std::string host;
  uint32_t pg_count = 0;
  std::vector<DriveReport> drives;
};

// A drive as the cluster sees it now.
struct DriveView {
  DriveInfo info;  // id, node, host, region, zone, capacity, current state
  std::string address;
  std::string name;
  uint64_t free_bytes = 0;
  uint64_t chunks = 0;
  uint64_t logical_bytes = 0;
  double heartbeat_age_s = 0;
  bool operator_out = false;
  // Being drained: excluded from placement (info.state is kOut) but still
  // holding data and read from while its copies move.
  bool draining = false;
  // Heard from within down_after, whatever its placement state: repair may
  // read from it and delete from it.
  bool alive = false;
  ScrubProgress scrub = {};
  // Reported failed by its node (DriveReport::error): out of placement at
  // once, never alive, so its PGs are copied elsewhere.
  bool failed = false;
  std::string error;
};

// An immutable snapshot: the placement map and every known drive's state.
struct ClusterView {
  std::shared_ptr<const PlacementMap> map;  // null until any node registered
  std::vector<DriveView> drives;            // sorted by id
  const DriveView* Find(std::string_view drive_id) const;
};

struct RegistryOptions {
  // The two regions, in order. Nodes of other regions are refused.
  std::vector<std::string> regions;
  // Placement groups. Default: 1024.
  uint32_t pg_count = 1024;
  // Copies per region. Default: 3.
  int replicas_per_region = 3;
  // A node silent this long is down: readers and writers avoid it.
  // Default: 10 s.
  absl::Duration down_after = absl::Seconds(10);
  // A node silent this long is out: its PGs are remapped. Default: 10 min.
  absl::Duration out_after = absl::Minutes(10);
};

// Node registry, liveness and placement epochs. Nodes register and
// heartbeat; Tick() applies the down/out timeouts; whenever the set of
// drives eligible for placement changes, the map is recomputed and, if any
// PG moved, the epoch is bumped and persisted. Thread-safe.
class NodeRegistry {
 public:
  NodeRegistry(MetaStore* store, Env* env, RegistryOptions options);

  // Loads registered nodes and the epoch from the store. Nodes count as
  // freshly heard from, so a coordinator restart marks nobody out.
  absl::Status Load();

  // Adds or updates a node. kInvalidArgument for an unknown region, a
  // pg_count mismatch or missing fields. Returns the current epoch.
  absl::StatusOr<uint64_t> Register(const NodeRecord& record);
  // Records liveness and usage; kNotFound if the node is not registered.
  // A non-empty `address` that differs from the registered one replaces it
  // (the node restarted elsewhere).
  absl::StatusOr<uint64_t> Heartbeat(const std::string& node,
                                     const std::vector<DriveReport>& drives,
                                     const std::string& address = "");
  // Applies the liveness timeouts at the Env's current time.
  void Tick();
  // Blocks until every node has registered or heartbeated after `since`,
  // or has been silent for down_after (it is down, so nobody waits for
  // it); true then, false if `timeout` passed first.
  bool AwaitReportsSince(absl::Time since, absl::Duration timeout);
  // Operator override: take a drive out of (or back into) placement.
  // Taking a drive in also ends a drain of it.
  absl::StatusOr<uint64_t> SetDriveOut(const std::string& drive_id, bool out);
  // Starts or cancels draining a drive (its PGs move; it stays readable).
  // kNotFound for an unknown drive, kFailedPrecondition to drain an out one.
  absl::StatusOr<uint64_t> SetDraining(const std::string& drive_id,
                                       bool draining);
  // Ends a drain whose data has moved: the drive becomes operator-out.
  absl::StatusOr<uint64_t> FinishDrain(const std::string& drive_id);
  const RegistryOptions& options() const { return options_; }

  std::shared_ptr<const ClusterView> View() const;
  // Blocks until the epoch is above `known_epoch` or `timeout` passes.
  std::shared_ptr<const ClusterView> WaitForNewerEpoch(uint64_t known_epoch,
                                                       absl::Duration timeout);
  uint64_t epoch() const;

 private:
  struct NodeState {
    NodeRecord record;
    absl::Time last_heartbeat;
  };
  // Rebuilds view_ from nodes_; recomputes the map when eligibility changed.
  absl::Status Rebuild(bool force_map) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Recomputes the map over infos into view->map; bumps and persists the
  // epoch when any PG's drives change.
  absl::Status RecomputeMap(const std::vector<DriveInfo>& infos,
                            ClusterView* view)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  DriveState StateOf(const NodeState& n, const std::string& drive_id,
                     absl::Time now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  MetaStore* store_;
  Env* env_;
  RegistryOptions options_;
  mutable absl::Mutex mu_;
  std::map<std::string, NodeState> nodes_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> operator_out_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> draining_ ABSL_GUARDED_BY(mu_);
  // Writes operator_out_ and draining_ to the store.
  absl::Status PersistOperatorSets() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint64_t epoch_ ABSL_GUARDED_BY(mu_) = 0;
  std::set<std::string> placed_ ABSL_GUARDED_BY(mu_);  // eligible drive ids
  std::shared_ptr<const ClusterView> view_ ABSL_GUARDED_BY(mu_);
};

}  // namespace drive::coordinator
