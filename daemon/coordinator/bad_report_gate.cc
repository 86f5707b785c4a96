#include "daemon/coordinator/bad_report_gate.h"

#include <algorithm>

namespace drive::coordinator {
namespace {

// Above this many callers, those whose bucket is full again are forgotten
// (they would start with a full bucket anyway).
constexpr size_t kCallersKept = 4096;

}  // namespace

BadReportGate::BadReportGate(Env* env, BadReportOptions options)
    : env_(env), options_(options) {}

BadReportVerdict BadReportGate::Admit(const std::string& caller,
                                      const std::string& drive_id,
                                      const std::string& account,
                                      const ChunkId& id) {
  absl::Time now = env_->Now();
  absl::MutexLock lock(&mu_);
  Expire(now);
  CopyKey key{drive_id, account, id};
  // A repeat costs nothing, so it is not charged to the caller.
  if (checks_.count(key) > 0) return BadReportVerdict::kDuplicate;
  auto [it, fresh] = callers_.try_emplace(caller);
  if (fresh) it->second = {static_cast<double>(options_.caller_burst), now};
  if (!TakeToken(it->second, now)) return BadReportVerdict::kRateLimited;
  if (running_ >= options_.max_running) return BadReportVerdict::kBusy;
  ++running_;
  checks_[key] = Check{now, true};
  by_start_.emplace_back(now, std::move(key));
  return BadReportVerdict::kCheck;
}

void BadReportGate::Finished(const std::string& drive_id,
                             const std::string& account, const ChunkId& id) {
  absl::Time now = env_->Now();
  absl::MutexLock lock(&mu_);
  auto it = checks_.find(CopyKey{drive_id, account, id});
  if (it == checks_.end() || !it->second.pending) return;
  --running_;
  // Expire() passed over it while it ran: nothing else will drop it.
  if (now - it->second.started >= options_.recheck_after) {
    checks_.erase(it);
  } else {
    it->second.pending = false;
  }
}

int BadReportGate::running() const {
  absl::MutexLock lock(&mu_);
  return running_;
}

void BadReportGate::Expire(absl::Time now) {
  while (!by_start_.empty() &&
         now - by_start_.front().first >= options_.recheck_after) {
    auto it = checks_.find(by_start_.front().second);
    // A running check stays until Finished.
    if (it != checks_.end() && !it->second.pending &&
        it->second.started == by_start_.front().first) {
      checks_.erase(it);
    }
    by_start_.pop_front();
  }
  if (callers_.size() <= kCallersKept) return;
  for (auto it = callers_.begin(); it != callers_.end();) {
    Refill(it->second, now);
    it = it->second.tokens >= options_.caller_burst ? callers_.erase(it)
                                                    : std::next(it);
  }
}

void BadReportGate::Refill(Bucket& b, absl::Time now) const {
  double refill =
      absl::ToDoubleSeconds(std::max(now - b.updated, absl::ZeroDuration())) *
      options_.caller_rate;
  b.tokens = std::min<double>(options_.caller_burst, b.tokens + refill);
  b.updated = now;
}

bool BadReportGate::TakeToken(Bucket& b, absl::Time now) {
  Refill(b, now);
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

}  // namespace drive::coordinator
