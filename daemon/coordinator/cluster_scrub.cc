#include "daemon/coordinator/cluster_scrub.h"

#include <algorithm>
#include <memory>

#include "absl/synchronization/mutex.h"

namespace drive::coordinator {
namespace {

DriveScrubOutcome ScrubOne(const DriveView& d, bool start,
                           NodeTransport* nodes) {
  if (d.alive) return nodes->Scrub(d, start);
  DriveScrubOutcome out;
  out.drive_id = d.info.id;
  out.progress = d.scrub;
  out.status = absl::UnavailableError("drive is not up");
  return out;
}

// The work list the calling thread and the executor's workers share. A
// worker the executor starts only after the list ran out returns at once,
// so the state lives as long as the last worker holds it, not the call.
struct Fanout {
  absl::Mutex mu;
  size_t next ABSL_GUARDED_BY(mu) = 0;
  size_t done ABSL_GUARDED_BY(mu) = 0;
  std::vector<DriveScrubOutcome> out ABSL_GUARDED_BY(mu);
  // Set before any worker runs; the pointers are valid while done < size.
  std::vector<const DriveView*> drives;
  bool start = false;
  NodeTransport* nodes = nullptr;

  // Scrubs drives until none is left to take.
  void Work() {
    while (true) {
      size_t i;
      {
        absl::MutexLock lock(&mu);
        if (next == drives.size()) return;
        i = next++;
      }
      DriveScrubOutcome o = ScrubOne(*drives[i], start, nodes);
      absl::MutexLock lock(&mu);
      out[i] = std::move(o);
      ++done;
    }
  }
};

}  // namespace

absl::StatusOr<std::vector<DriveScrubOutcome>> ScrubDrives(
    const ClusterView& view, const std::string& drive_id, bool start,
    NodeTransport* nodes, Executor* executor, int max_parallel) {
  auto f = std::make_shared<Fanout>();
  for (const auto& d : view.drives) {
    if (drive_id.empty() || d.info.id == drive_id) f->drives.push_back(&d);
  }
  if (f->drives.empty()) return absl::NotFoundError("no drive " + drive_id);
  f->start = start;
  f->nodes = nodes;
  const size_t n = f->drives.size();
  {
    absl::MutexLock lock(&f->mu);
    f->out.resize(n);
  }
  // The calling thread is one of the max_parallel.
  size_t helpers = std::min<size_t>(std::max(1, max_parallel), n) - 1;
  for (size_t i = 0; i < helpers; ++i) executor->Schedule([f] { f->Work(); });
  f->Work();
  absl::MutexLock lock(&f->mu);
  auto all_done = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(f->mu) {
    return f->done == n;
  };
  f->mu.Await(absl::Condition(&all_done));
  return std::move(f->out);
}

}  // namespace drive::coordinator
