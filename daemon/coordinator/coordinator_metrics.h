#pragma once

#include "common/metrics.h"
#include "daemon/coordinator/coordinator.h"
#include "daemon/coordinator/leadership.h"
#include "daemon/coordinator/namespace.h"
#include "daemon/coordinator/node_registry.h"
#include "daemon/coordinator/repair_planner.h"

namespace drive::coordinator {

// What the coordinator's gauges read; nothing owned, all must outlive the
// metrics registry's refresh hooks (in drived: the metrics server).
struct CoordinatorMetricsSources {
  const Coordinator* coordinator = nullptr;
  const NodeRegistry* registry = nullptr;
  const Namespace* ns = nullptr;
  const RepairPlanner* planner = nullptr;
  const Leadership* leadership = nullptr;
};

// Adds a refresh hook to `metrics` that sets the coordinator's gauges at
// every scrape: drive_pgs{health=full|degraded|one_region|unavailable},
// drive_placement_epoch, drive_files, drive_coordinator_leader,
// drive_repair_backlog_bytes, drive_repair_copied_bytes, drive_lost_chunks,
// drive_oldest_verification_age_seconds (0 until any drive reported a scrub)
// and drive_drives_failed.
void ExportCoordinatorMetrics(MetricsRegistry* metrics,
                              const CoordinatorMetricsSources& sources);

}  // namespace drive::coordinator
