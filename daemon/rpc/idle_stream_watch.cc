#include "daemon/rpc/idle_stream_watch.h"

#include <algorithm>

namespace drive::rpc {

IdleStreamWatch::IdleStreamWatch(Env* env, absl::Duration idle_timeout,
                                 size_t max_streams, absl::Duration check_every)
    : env_(env),
      idle_timeout_(idle_timeout),
      max_streams_(std::max<size_t>(max_streams, 1)),
      // A few checks per timeout keep the overshoot small.
      check_every_(check_every > absl::ZeroDuration()
                       ? check_every
                       : std::clamp(idle_timeout / 4, absl::Milliseconds(10),
                                    absl::Seconds(1))),
      thread_([this] { Loop(); }) {}

IdleStreamWatch::~IdleStreamWatch() {
  stop_.Notify();
  thread_.join();
}

bool IdleStreamWatch::Add(Stream* s) {
  absl::MutexLock lock(&mu_);
  if (streams_.size() >= max_streams_) return false;
  streams_[s] = env_->Now();
  return true;
}

void IdleStreamWatch::Touch(Stream* s) {
  absl::MutexLock lock(&mu_);
  auto it = streams_.find(s);
  if (it != streams_.end()) it->second = env_->Now();
}

void IdleStreamWatch::Remove(Stream* s) {
  absl::MutexLock lock(&mu_);
  streams_.erase(s);
  // The watch's own thread may get here from inside OnIdle: it must not
  // wait for itself.
  if (std::this_thread::get_id() == thread_.get_id()) return;
  auto told = [this, s]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return calling_.count(s) == 0;
  };
  mu_.Await(absl::Condition(&told));
}

size_t IdleStreamWatch::size() const {
  absl::MutexLock lock(&mu_);
  return streams_.size();
}

std::set<IdleStreamWatch::Stream*> IdleStreamWatch::TakeIdle(absl::Time now) {
  std::set<Stream*> idle;
  for (auto it = streams_.begin(); it != streams_.end();) {
    if (now - it->second >= idle_timeout_) {
      idle.insert(it->first);
      it = streams_.erase(it);  // told once; its owner removes it again
    } else {
      ++it;
    }
  }
  calling_.insert(idle.begin(), idle.end());
  return idle;
}

void IdleStreamWatch::Loop() {
  while (!stop_.WaitForNotificationWithTimeout(check_every_)) {
    std::set<Stream*> idle;
    {
      absl::MutexLock lock(&mu_);
      idle = TakeIdle(env_->Now());
    }
    for (Stream* s : idle) {
      s->OnIdle();
      absl::MutexLock lock(&mu_);
      calling_.erase(s);
    }
  }
}

}  // namespace drive::rpc
