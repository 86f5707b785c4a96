#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace rocksdb {
class DB;
}  // namespace rocksdb

namespace drive::coordinator {

// Puts and deletes applied together by MetaStore::Write.
class MetaBatch {
 public:
  void Put(std::string key, std::string value) {
    ops_.push_back({std::move(key), std::move(value), false});
  }
  void Delete(std::string key) { ops_.push_back({std::move(key), "", true}); }
  bool empty() const { return ops_.empty(); }

 private:
  friend class MetaStore;
  struct Op {
    std::string key;
    std::string value;
    bool del;
  };
  std::vector<Op> ops_;
};

// The coordinator's small RocksDB: nodes, epochs, accounts, tokens, files.
// Key layout in docs/formats/coordinator-keys.md. Thread-safe.
class MetaStore {
 public:
  // Opens or creates the store at `path`.
  static absl::StatusOr<std::unique_ptr<MetaStore>> Open(
      const std::string& path);
  ~MetaStore();

  // The value, or nullopt when the key is absent.
  absl::StatusOr<std::optional<std::string>> Get(std::string_view key);
  // Applies the batch atomically and fsyncs the WAL before returning:
  // an acknowledged commit survives a crash.
  absl::Status Write(const MetaBatch& batch);
  // Writes applied so far, counted once each is visible: a scan that began
  // after reading n saw every write, unless the count is above n now.
  uint64_t writes() const { return writes_.load(); }
  // Calls fn(key, value) in key order for keys starting with `prefix` and
  // >= `start` (empty: from the prefix), until fn returns false.
  absl::Status Scan(
      std::string_view prefix, std::string_view start,
      const std::function<bool(std::string_view, std::string_view)>& fn);
  // Writes a consistent copy of the whole store into `dir` (which must not
  // exist): a RocksDB checkpoint, openable by MetaStore::Open. Blocks.
  absl::Status Checkpoint(const std::string& dir);

 private:
  explicit MetaStore(std::unique_ptr<rocksdb::DB> db);
  std::unique_ptr<rocksdb::DB> db_;
  std::atomic<uint64_t> writes_{0};
};

}  // namespace drive::coordinator
