#pragma once

#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "daemon/rpc/node_map.h"
#include "daemon/scrubber/scrubber.h"
#include "daemon/storage/storage_node.h"

namespace drive::rpc {

struct CoordinatorLinkOptions {
  // HOST:PORT, or a list to fail over between (ParseCoordinatorList).
  std::string coordinator;
  std::string cluster_token;
  std::string node;     // node name
  std::string address;  // where peers reach this node's NodeService
  std::string region;
  std::string zone;
  std::string host;
  // Heartbeat period. Default: 1 s.
  absl::Duration interval = absl::Seconds(1);
  // Kept up to date with the placement map when set (refetched when the
  // epoch changes, and every 30 s for drive states); not owned.
  NodeMapCache* map = nullptr;
  // Scrub state reported with each heartbeat when set; not owned.
  const scrubber::Scrubber* scrubber = nullptr;
};

// Keeps a storage node known to the coordinator: registers (again whenever
// the coordinator forgets it), then heartbeats with drive usage every
// interval, and keeps the node's copy of the placement map fresh. Failures
// are logged and retried; the node serves regardless.
// Owns one thread; the StorageNode must outlive it.
class CoordinatorLink {
 public:
  CoordinatorLink(storage::StorageNode* node, CoordinatorLinkOptions options);
  ~CoordinatorLink();  // stops the thread
  void Start();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace drive::rpc
