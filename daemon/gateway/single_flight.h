#pragma once

// Coalesces concurrent fetches of the same key: the first caller fetches,
// callers arriving while that fetch runs wait for its result instead of
// starting their own. When a gallery's cache entries expire (or start
// cold), a burst of requests for one manifest or one chunk then costs one
// coordinator or node call, not one per connection. Thread-safe.

#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace drive::gateway {

template <typename V>
class SingleFlight {
 public:
  using Done = std::function<void(const V&)>;

  // Registers `done` for `key`. Returns true if no fetch of `key` is in
  // flight: the caller must fetch and then call Finish(key, value). False:
  // `done` runs when the fetch in flight finishes.
  bool Join(const std::string& key, Done done) {
    absl::MutexLock lock(&mu_);
    auto [it, first] = waiters_.try_emplace(key);
    it->second.push_back(std::move(done));
    return first;
  }

  // Runs every `done` registered for `key` with `value` (on this thread,
  // outside the lock) and forgets the key.
  void Finish(const std::string& key, const V& value) {
    std::vector<Done> run;
    {
      absl::MutexLock lock(&mu_);
      auto it = waiters_.find(key);
      if (it == waiters_.end()) return;
      run = std::move(it->second);
      waiters_.erase(it);
    }
    for (auto& d : run) d(value);
  }

  size_t in_flight() const {
    absl::MutexLock lock(&mu_);
    return waiters_.size();
  }

 private:
  mutable absl::Mutex mu_;
  std::unordered_map<std::string, std::vector<Done>> waiters_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace drive::gateway
