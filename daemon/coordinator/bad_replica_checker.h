#pragma once

#include <string>

#include "common/chunk_id.h"
#include "common/env.h"
#include "common/executor.h"
#include "daemon/coordinator/bad_report_gate.h"
#include "daemon/coordinator/node_registry.h"
#include "daemon/coordinator/node_transport.h"

namespace drive::coordinator {

class Coordinator;

// Follows up readers' reports of bad copies: has the reported drive verify
// the copy now (a corrupt copy is quarantined and repaired like a scrub
// finding) rather than at its next scrub pass. A BadReportGate decides
// which reports start a check. Thread-safe; registry, nodes and executor
// are not owned and must outlive it (and the executor must run or drop
// every task before the checker goes).
class BadReplicaChecker {
 public:
  BadReplicaChecker(NodeRegistry* registry, NodeTransport* nodes,
                    Executor* executor, Env* env,
                    BadReportOptions options = {});

  // Decides about one report from `caller` (a rate-limit key) and, for
  // kCheck, schedules the check of the copy on the executor. Never blocks.
  BadReportVerdict Report(const std::string& caller, const std::string& account,
                          const ChunkId& id, const std::string& drive_id);

  // Makes this checker decide every bad-copy report `coordinator` receives
  // (Coordinator::SetBadReportHandler). The checker must outlive the
  // coordinator's use of it.
  void HandleReportsOf(Coordinator* coordinator);

 private:
  // Runs on the executor: one Verify call to the drive, if it is up.
  void Check(const std::string& account, const ChunkId& id,
             const std::string& drive_id);

  NodeRegistry* registry_;
  NodeTransport* nodes_;
  Executor* executor_;
  BadReportGate gate_;
};

}  // namespace drive::coordinator
