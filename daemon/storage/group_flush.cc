#include "daemon/storage/group_flush.h"

#include <algorithm>

namespace drive::storage {

GroupFlush::GroupFlush(std::function<absl::Status()> flush)
    : flush_(std::move(flush)) {}

uint64_t GroupFlush::TakeTicket() {
  absl::MutexLock lock(&mu_);
  return ++issued_;
}

uint64_t GroupFlush::rounds() const {
  absl::MutexLock lock(&mu_);
  return rounds_;
}

absl::Status GroupFlush::WaitDurable(uint64_t ticket) {
  absl::MutexLock lock(&mu_);
  while (durable_ < ticket) {
    if (!sticky_error_.ok()) return sticky_error_;
    if (flushing_) {
      // Someone else leads; their round may or may not cover us.
      mu_.Await(absl::Condition(
          +[](bool* flushing) { return !*flushing; }, &flushing_));
      continue;
    }
    // Lead a round covering every ticket issued so far: those writes were
    // visible before this flush starts, so the flush includes them.
    flushing_ = true;
    uint64_t target = issued_;
    mu_.Unlock();
    absl::Status s = flush_();
    mu_.Lock();
    flushing_ = false;
    ++rounds_;
    if (s.ok()) {
      durable_ = std::max(durable_, target);
    } else {
      sticky_error_ = s;
    }
  }
  return absl::OkStatus();
}

}  // namespace drive::storage
