#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/chunk_id.h"
#include "common/env.h"
#include "common/rate_limiter.h"
#include "daemon/repair/chunk_fetcher.h"

namespace drive::storage {
class ChunkStore;
}

namespace drive::repair {

// One chunk to copy onto the receiving drive. The caller has checked the
// account name and parsed the id.
struct PullTask {
  std::string account;
  ChunkId id;
  std::vector<ChunkSource> sources;  // in the order to try
};

// The receiving drive, as the puller uses it. Thread-compatible: one Pull
// at a time per destination object.
class PullDestination {
 public:
  virtual ~PullDestination() = default;
  // Whether the drive holds the chunk (perhaps not yet durably).
  virtual absl::StatusOr<bool> Has(std::string_view account,
                                   const ChunkId& id) = 0;
  // Stores the verified chunk without waiting for it to be durable.
  virtual absl::Status PutUnsynced(std::string_view account, const ChunkId& id,
                                   std::string_view data) = 0;
  // Makes every earlier write durable, PutUnsynced ones and other writers'.
  virtual absl::Status Sync() = 0;
};

// A ChunkStore as a PullDestination. `store` is not owned and must outlive
// this.
class StoreDestination final : public PullDestination {
 public:
  explicit StoreDestination(storage::ChunkStore* store) : store_(store) {}
  absl::StatusOr<bool> Has(std::string_view account,
                           const ChunkId& id) override;
  absl::Status PutUnsynced(std::string_view account, const ChunkId& id,
                           std::string_view data) override;
  absl::Status Sync() override;

 private:
  storage::ChunkStore* store_;
};

// What one Pull did.
struct PullResult {
  // One per task, in order. OK means the copy is on the drive durably.
  std::vector<absl::Status> statuses;
  // Bytes fetched and stored by this call; 0 when the final Sync failed.
  uint64_t bytes_copied = 0;
};

// Copies chunks from other drives onto one drive for repair (the node side
// of PullChunks): fetches a verified copy, paces the bytes, stores them
// unsynced and makes the whole batch durable with one Sync before it
// reports any of them OK. Thread-safe; fetcher and env are not owned and
// must outlive it.
class ChunkPuller {
 public:
  ChunkPuller(ChunkFetcher* fetcher, Env* env) : fetcher_(fetcher), env_(env) {}

  // Pulls every task onto `dest`, waiting (on the Env) as `limiter` says
  // after each fetch. A task given as an error is reported with that error.
  // Per task: OK when the chunk was copied or already present, and the
  // Sync succeeded; the fetch or store error (see ChunkFetcher::Fetch); or,
  // for every copied or present chunk, the Sync's error when it failed.
  // Blocks for the fetches, the pacing and the Sync; the call itself
  // cannot fail. `dest` and `limiter` are not owned.
  PullResult Pull(PullDestination* dest, RateLimiter* limiter,
                  const std::vector<absl::StatusOr<PullTask>>& tasks);

 private:
  // Copies one chunk unless present; returns the bytes copied.
  absl::StatusOr<uint64_t> PullOne(PullDestination* dest, RateLimiter* limiter,
                                   const PullTask& task);

  ChunkFetcher* fetcher_;
  Env* env_;
};

}  // namespace drive::repair
