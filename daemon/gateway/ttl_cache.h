#pragma once

// A small map whose entries expire after a per-entry time to live, bounded
// in entries (the oldest insertion goes first). The gateway keeps file
// manifests (a second or two, so a hot gallery does not ask the
// coordinator per image) and bearer-token verdicts in it. Time comes from
// the Env seam. Thread-safe.

#include <cstddef>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/env.h"

namespace drive::gateway {

template <typename V>
class TtlCache {
 public:
  // `env` is not owned and must outlive the cache; max_entries >= 1.
  TtlCache(Env* env, size_t max_entries)
      : env_(env), max_entries_(max_entries < 1 ? 1 : max_entries) {}

  // The value if present and not expired.
  std::optional<V> Lookup(const std::string& key) {
    absl::MutexLock lock(&mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    if (env_->Now() >= it->second.expires) {
      order_.erase(it->second.pos);
      map_.erase(it);
      return std::nullopt;
    }
    return it->second.value;
  }

  // Stores `value` for `ttl` (<= 0: not stored), replacing any entry.
  void Insert(const std::string& key, V value, absl::Duration ttl) {
    if (ttl <= absl::ZeroDuration()) return;
    absl::Time expires = env_->Now() + ttl;
    absl::MutexLock lock(&mu_);
    EraseLocked(key);
    while (map_.size() >= max_entries_) {
      map_.erase(order_.front());
      order_.pop_front();
    }
    order_.push_back(key);
    map_.emplace(key,
                 Entry{std::move(value), expires, std::prev(order_.end())});
  }

  void Erase(const std::string& key) {
    absl::MutexLock lock(&mu_);
    EraseLocked(key);
  }

  size_t size() const {
    absl::MutexLock lock(&mu_);
    return map_.size();
  }

 private:
  struct Entry {
    V value;
    absl::Time expires;
    std::list<std::string>::iterator pos;
  };

  void EraseLocked(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = map_.find(key);
    if (it == map_.end()) return;
    order_.erase(it->second.pos);
    map_.erase(it);
  }

  Env* const env_;
  const size_t max_entries_;
  mutable absl::Mutex mu_;
  std::list<std::string> order_ ABSL_GUARDED_BY(mu_);  // insertion order
  std::unordered_map<std::string, Entry> map_ ABSL_GUARDED_BY(mu_);
};

}  // namespace drive::gateway
