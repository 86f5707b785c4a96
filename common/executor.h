#pragma once

#include <functional>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace drive {

// Where blocking work runs (disk I/O, fsync, waits), so RPC and HTTP
// reactions never block. Implementations are thread-safe.
class Executor {
 public:
  virtual ~Executor() = default;
  // Runs `task` later on some thread of the executor. Never blocks.
  virtual void Schedule(std::function<void()> task) = 0;
};

// A fixed pool of threads draining one FIFO queue. The destructor runs every
// task already scheduled, then joins.
class ThreadPoolExecutor final : public Executor {
 public:
  explicit ThreadPoolExecutor(int threads);
  ~ThreadPoolExecutor() override;
  void Schedule(std::function<void()> task) override;

 private:
  void Loop();

  absl::Mutex mu_;
  std::vector<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  size_t head_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace drive
