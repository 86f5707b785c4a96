#pragma once

#include <functional>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/env.h"
#include "common/executor.h"

namespace drive::coordinator {

struct MaintenanceOptions {
  // Between repair sweeps when nothing calls for one sooner. Default: 30 s.
  absl::Duration repair_interval = absl::Seconds(30);
  // Between garbage collections; zero disables them. Default: 1 h.
  absl::Duration gc_interval = absl::Hours(1);
  // Between metadata backups; zero disables them. The first one runs a
  // minute after start (or after one interval, if shorter). Default: 1 h.
  absl::Duration backup_interval = absl::Hours(1);
};

// The coordinator's background work: repair sweeps (at once when woken, and
// again right after a sweep that found work), garbage collection and
// metadata backups on their schedules, each a long-running task on the
// executor given to Start (which needs three threads). The schedule runs
// on the Env's clock. Thread-safe; the destructor stops the loops and
// waits for them.
class Maintenance {
 public:
  // Each function runs one round and returns whether the repair found work
  // (for `repair`) or nothing useful (the others' results are logged by
  // themselves). `env` is not owned and must outlive this object.
  Maintenance(std::function<bool()> repair, std::function<void()> gc,
              std::function<void()> backup, Env* env,
              MaintenanceOptions options);
  ~Maintenance();

  void Start(Executor* executor);
  // Stops the loops and waits for the rounds in progress. Idempotent.
  void Stop();
  // Runs a repair sweep as soon as possible.
  void WakeRepair();

 private:
  void Loop(const std::function<bool()>& round, absl::Duration interval,
            absl::Duration first, bool wakeable);

  std::function<bool()> repair_;
  std::function<void()> gc_;
  std::function<void()> backup_;
  Env* const env_;
  MaintenanceOptions options_;
  absl::Notification stop_;
  absl::Mutex mu_;
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  int running_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace drive::coordinator
