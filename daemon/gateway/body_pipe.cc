#include "daemon/gateway/body_pipe.h"

#include <cstring>

namespace drive::gateway {

void BodyPipe::Push(std::string_view data) {
  absl::MutexLock lock(&mu_);
  if (head_ > 0 && head_ * 2 >= buf_.size()) {  // compact now and then
    buf_.erase(0, head_);
    head_ = 0;
  }
  buf_.append(data.data(), data.size());
}

void BodyPipe::Finish(absl::Status status) {
  absl::MutexLock lock(&mu_);
  if (finished_) return;
  finished_ = true;
  status_ = std::move(status);
}

bool BodyPipe::PauseUnlessFree(size_t want, std::function<void()> resume) {
  absl::MutexLock lock(&mu_);
  if (cancelled_) return true;
  if (capacity_ - std::min(capacity_, buf_.size() - head_) >= want) {
    return false;
  }
  resume_want_ = want;
  resume_ = std::move(resume);
  return true;
}

bool BodyPipe::cancelled() const {
  absl::MutexLock lock(&mu_);
  return cancelled_;
}

absl::StatusOr<size_t> BodyPipe::Read(char* buf, size_t max) {
  std::function<void()> resume;
  size_t n = 0;
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](BodyPipe* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu_) {
          return p->buf_.size() > p->head_ || p->finished_;
        },
        this));
    size_t buffered = buf_.size() - head_;
    if (buffered == 0) {
      if (!status_.ok()) return status_;
      return size_t{0};
    }
    n = std::min(max, buffered);
    std::memcpy(buf, buf_.data() + head_, n);
    head_ += n;
    if (resume_ && capacity_ - (buf_.size() - head_) >= resume_want_) {
      resume = std::move(resume_);
      resume_ = nullptr;
    }
  }
  if (resume) resume();  // outside the lock: it posts to the strand
  return n;
}

void BodyPipe::Cancel() {
  absl::MutexLock lock(&mu_);
  cancelled_ = true;
  resume_ = nullptr;
}

}  // namespace drive::gateway
