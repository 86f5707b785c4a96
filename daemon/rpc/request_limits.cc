#include "daemon/rpc/request_limits.h"

#include "absl/strings/str_cat.h"

namespace drive::rpc {

size_t MaxCoordinatorRequestBytes(std::string_view rpc) {
  if (rpc == "CommitFiles") return kMaxCommitFilesRequestBytes;
  if (rpc == "RegisterNode" || rpc == "Heartbeat") {
    return kMaxNodeReportRequestBytes;
  }
  return kMaxSmallRequestBytes;
}

absl::Status CheckCoordinatorRequestSize(std::string_view rpc, size_t bytes) {
  size_t max = MaxCoordinatorRequestBytes(rpc);
  if (bytes <= max) return absl::OkStatus();
  return absl::ResourceExhaustedError(
      absl::StrCat(std::string(rpc), " request of ", bytes,
                   " bytes exceeds its limit of ", max));
}

bool PendingAuthBudget::TryAcquire(size_t bytes) {
  absl::MutexLock lock(&mu_);
  if (calls_ > 0 && (calls_ >= max_calls_ || bytes_ + bytes > max_bytes_)) {
    return false;
  }
  ++calls_;
  bytes_ += bytes;
  return true;
}

void PendingAuthBudget::Release(size_t bytes) {
  absl::MutexLock lock(&mu_);
  --calls_;
  bytes_ -= bytes;
}

}  // namespace drive::rpc
