#include "common/executor.h"

namespace drive {

ThreadPoolExecutor::ThreadPoolExecutor(int threads) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
}

ThreadPoolExecutor::~ThreadPoolExecutor() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (auto& t : threads_) t.join();
}

void ThreadPoolExecutor::Schedule(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(std::move(task));
}

void ThreadPoolExecutor::Loop() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](ThreadPoolExecutor* self) ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return self->stopping_ || self->head_ < self->queue_.size();
          },
          this));
      if (head_ == queue_.size()) return;  // stopping and drained
      task = std::move(queue_[head_++]);
      if (head_ == queue_.size()) {
        queue_.clear();
        head_ = 0;
      }
    }
    task();
  }
}

}  // namespace drive
