#include "daemon/coordinator/coordinator_metrics.h"

#include <cstdint>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace drive::coordinator {
namespace {

// Placement state: PG health, epoch, files and leadership.
void SetPlacementGauges(MetricsRegistry& m,
                        const CoordinatorMetricsSources& s) {
  PgHealth h = s.coordinator->Health();
  m.GetGauge("drive_pgs", "PGs by health", "health=\"full\"")->Set(h.full);
  m.GetGauge("drive_pgs", "PGs by health", "health=\"degraded\"")
      ->Set(h.degraded);
  m.GetGauge("drive_pgs", "PGs by health", "health=\"one_region\"")
      ->Set(h.one_region);
  m.GetGauge("drive_pgs", "PGs by health", "health=\"unavailable\"")
      ->Set(h.unavailable);
  m.GetGauge("drive_placement_epoch", "Current placement epoch")
      ->Set(static_cast<double>(s.registry->epoch()));
  m.GetGauge("drive_files", "Files in the namespace")->Set(s.ns->file_count());
  m.GetGauge("drive_coordinator_leader",
             "1 while this coordinator is the cluster's leader")
      ->Set(s.leadership->is_leader() ? 1 : 0);
}

// Repair progress: backlog, bytes copied, lost chunks.
void SetRepairGauges(MetricsRegistry& m, const RepairPlanner& planner) {
  auto repair = planner.Status();
  uint64_t backlog = 0;
  for (const auto& e : repair.backlog) backlog += e.bytes;
  m.GetGauge("drive_repair_backlog_bytes",
             "Bytes of missing copies the last sweep found")
      ->Set(static_cast<double>(backlog));
  m.GetGauge("drive_repair_copied_bytes", "Bytes copied by repair since start")
      ->Set(static_cast<double>(repair.copied_bytes));
  m.GetGauge("drive_lost_chunks",
             "Referenced chunks that no drive holds (lost data)")
      ->Set(static_cast<double>(repair.lost.chunks));
}

// Drives: the oldest verification of any copy on any drive that reported
// one, and the drives their nodes report as failed.
void SetDriveGauges(MetricsRegistry& m, const NodeRegistry& registry) {
  auto view = registry.View();
  int64_t oldest = 0;
  int failed = 0;
  for (const auto& d : view->drives) {
    failed += d.failed;
    if (!d.scrub.reported) continue;
    if (oldest == 0 || d.scrub.oldest_verified_unix_s < oldest)
      oldest = d.scrub.oldest_verified_unix_s;
  }
  m.GetGauge("drive_oldest_verification_age_seconds",
             "Age of the oldest copy verification on any drive")
      ->Set(oldest == 0 ? 0.0
                        : absl::ToDoubleSeconds(absl::Now() -
                                                absl::FromUnixSeconds(oldest)));
  m.GetGauge("drive_drives_failed",
             "Drives their nodes report as failed (cannot be opened)")
      ->Set(failed);
}

}  // namespace

void ExportCoordinatorMetrics(MetricsRegistry* metrics,
                              const CoordinatorMetricsSources& sources) {
  metrics->AddRefreshHook([metrics, sources] {
    SetPlacementGauges(*metrics, sources);
    SetRepairGauges(*metrics, *sources.planner);
    SetDriveGauges(*metrics, *sources.registry);
  });
}

}  // namespace drive::coordinator
