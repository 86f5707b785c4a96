#pragma once

// A bounded LRU of verified chunks keyed by (account, chunk id). Chunks are
// content-addressed and immutable, so a cached chunk that was verified
// against its id when it was fetched is always the right answer for that
// id: entries never go stale, they are only evicted. Accounts are part of
// the key because deduplication (and chunk access) stops at the account
// boundary. Thread-safe.

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/synchronization/mutex.h"
#include "common/chunk_id.h"

namespace drive::gateway {

class ChunkCache {
 public:
  using Value = std::shared_ptr<const std::string>;

  // `capacity_bytes` bounds the sum of cached chunk sizes; 0 disables the
  // cache (Lookup always misses, Insert drops).
  explicit ChunkCache(uint64_t capacity_bytes) : capacity_(capacity_bytes) {}

  // The cached chunk, or null. Marks it most recently used.
  Value Lookup(std::string_view account, const ChunkId& id);
  // Caches a verified chunk, evicting least recently used ones to stay
  // within the capacity. The caller vouches that ChunkId::Of(*value) == id.
  void Insert(std::string_view account, const ChunkId& id, Value value);

  uint64_t capacity() const { return capacity_; }
  uint64_t bytes() const;
  uint64_t hits() const;
  uint64_t misses() const;

 private:
  struct Entry {
    std::string key;
    Value value;
  };
  static std::string Key(std::string_view account, const ChunkId& id);

  const uint64_t capacity_;
  mutable absl::Mutex mu_;
  std::list<Entry> lru_ ABSL_GUARDED_BY(mu_);  // front: most recent
  std::unordered_map<std::string, std::list<Entry>::iterator> index_
      ABSL_GUARDED_BY(mu_);
  uint64_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t hits_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t misses_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace drive::gateway
