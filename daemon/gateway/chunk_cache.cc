#include "daemon/gateway/chunk_cache.h"

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace drive::gateway {

std::string ChunkCache::Key(std::string_view account, const ChunkId& id) {
  // Account names never contain NUL, so the key is unambiguous.
  return absl::StrCat(Sv(account), absl::string_view("\0", 1), Sv(id.bytes()));
}

ChunkCache::Value ChunkCache::Lookup(std::string_view account,
                                     const ChunkId& id) {
  if (capacity_ == 0) return nullptr;
  std::string key = Key(account, id);
  absl::MutexLock lock(&mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->value;
}

void ChunkCache::Insert(std::string_view account, const ChunkId& id,
                        Value value) {
  if (value == nullptr || value->size() > capacity_) return;
  std::string key = Key(account, id);
  absl::MutexLock lock(&mu_);
  if (index_.count(key)) return;  // same id, same bytes
  bytes_ += value->size();
  lru_.push_front(Entry{key, std::move(value)});
  index_[std::move(key)] = lru_.begin();
  while (bytes_ > capacity_) {
    Entry& victim = lru_.back();
    bytes_ -= victim.value->size();
    index_.erase(victim.key);
    lru_.pop_back();
  }
}

uint64_t ChunkCache::bytes() const {
  absl::MutexLock lock(&mu_);
  return bytes_;
}
uint64_t ChunkCache::hits() const {
  absl::MutexLock lock(&mu_);
  return hits_;
}
uint64_t ChunkCache::misses() const {
  absl::MutexLock lock(&mu_);
  return misses_;
}

}  // namespace drive::gateway
