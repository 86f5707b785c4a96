#include "common/env.h"

#include <sys/statvfs.h>

#include <cerrno>

#include "absl/time/clock.h"
#include "common/status_util.h"

namespace drive {
namespace {

class PosixEnv final : public Env {
 public:
  absl::StatusOr<DiskSpace> GetDiskSpace(const std::string& path) override {
    struct statvfs st;
    if (statvfs(path.c_str(), &st) != 0) {
      return ErrnoToStatus(errno, "statvfs " + path);
    }
    DiskSpace space;
    space.free_bytes = static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
    space.capacity_bytes = static_cast<uint64_t>(st.f_blocks) * st.f_frsize;
    return space;
  }
  absl::Time Now() override { return absl::Now(); }
  bool AwaitWithDeadline(absl::Mutex* mu, const absl::Condition& condition,
                         absl::Time deadline) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return mu->AwaitWithDeadline(condition, deadline);
  }
  void SleepFor(absl::Duration d) override { absl::SleepFor(d); }
};

}  // namespace

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv();
  return env;
}

}  // namespace drive
