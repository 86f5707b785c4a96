#include "daemon/coordinator/maintenance.h"

#include <algorithm>

namespace drive::coordinator {

Maintenance::Maintenance(std::function<bool()> repair, std::function<void()> gc,
                         std::function<void()> backup, Env* env,
                         MaintenanceOptions options)
    : repair_(std::move(repair)),
      gc_(std::move(gc)),
      backup_(std::move(backup)),
      env_(env),
      options_(options) {}

Maintenance::~Maintenance() { Stop(); }

void Maintenance::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  absl::MutexLock lock(&mu_);
  auto done = [this]()
                  ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return running_ == 0; };
  mu_.Await(absl::Condition(&done));
}

void Maintenance::WakeRepair() {
  absl::MutexLock lock(&mu_);
  wake_ = true;
}

void Maintenance::Start(Executor* executor) {
  struct Job {
    std::function<bool()> round;
    absl::Duration interval, first;
    bool wakeable;
  };
  std::vector<Job> jobs;
  jobs.push_back({repair_, options_.repair_interval, absl::Seconds(2), true});
  if (options_.gc_interval > absl::ZeroDuration()) {
    jobs.push_back({[this] {
                      gc_();
                      return false;
                    },
                    options_.gc_interval, options_.gc_interval, false});
  }
  if (options_.backup_interval > absl::ZeroDuration()) {
    jobs.push_back({[this] {
                      backup_();
                      return false;
                    },
                    options_.backup_interval,
                    std::min(options_.backup_interval, absl::Minutes(1)),
                    false});
  }
  for (auto& job : jobs) {
    {
      absl::MutexLock lock(&mu_);
      ++running_;
    }
    executor->Schedule([this, job] {
      Loop(job.round, job.interval, job.first, job.wakeable);
      absl::MutexLock lock(&mu_);
      --running_;
    });
  }
}

void Maintenance::Loop(const std::function<bool()>& round,
                       absl::Duration interval, absl::Duration first,
                       bool wakeable) {
  absl::Duration wait = first;
  while (true) {
    // Wait for the interval, the stop signal, or (repair) a wake-up.
    absl::Time until = env_->Now() + wait;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stop_.HasBeenNotified() || (wakeable && wake_);
      };
      while (!ready() && env_->Now() < until) {
        env_->AwaitWithDeadline(
            &mu_, absl::Condition(&ready),
            std::min(until, env_->Now() + absl::Seconds(1)));
      }
      if (stop_.HasBeenNotified()) return;
      if (wakeable) wake_ = false;
    }
    bool more = round();
    wait = more ? absl::Seconds(1) : interval;
  }
}

}  // namespace drive::coordinator
