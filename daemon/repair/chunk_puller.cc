// The node side of repair copies, in this order:
//   1. per task: skip a chunk the drive already has (its Sync below covers
//      another writer's not yet durable copy too);
//   2. fetch a copy whose bytes hash to the chunk id, trying the sources in
//      order (ChunkFetcher::Fetch);
//   3. wait as the drive's repair budget says, so repair never crowds out
//      client writes;
//   4. store it unsynced: one flush per call, not one per chunk;
//   5. Sync once; if that fails, no copy of this call is reported stored,
//      because none may be durable.
// A failed task does not stop the others.

#include "daemon/repair/chunk_puller.h"

#include "common/status_macros.h"
#include "daemon/storage/chunk_store.h"

namespace drive::repair {

absl::StatusOr<bool> StoreDestination::Has(std::string_view account,
                                           const ChunkId& id) {
  DRIVE_ASSIGN_OR_RETURN(std::vector<bool> has, store_->Has(account, {id}));
  return has[0];
}

absl::Status StoreDestination::PutUnsynced(std::string_view account,
                                           const ChunkId& id,
                                           std::string_view data) {
  return store_->PutUnsynced(account, id, data).status();
}

absl::Status StoreDestination::Sync() { return store_->Sync(); }

PullResult ChunkPuller::Pull(
    PullDestination* dest, RateLimiter* limiter,
    const std::vector<absl::StatusOr<PullTask>>& tasks) {
  PullResult result;
  std::vector<size_t> written;  // tasks whose copy awaits the Sync
  for (const auto& task : tasks) {
    absl::Status s = task.status();
    if (s.ok()) {
      absl::StatusOr<uint64_t> copied = PullOne(dest, limiter, *task);
      s = copied.status();
      if (copied.ok()) {
        written.push_back(result.statuses.size());
        result.bytes_copied += *copied;
      }
    }
    result.statuses.push_back(std::move(s));
  }
  // The OK codes promise that the copies are on disk. A call that stored
  // nothing needs no Sync.
  absl::Status synced = written.empty() ? absl::OkStatus() : dest->Sync();
  if (!synced.ok()) {
    for (size_t i : written) result.statuses[i] = synced;
    result.bytes_copied = 0;
  }
  return result;
}

absl::StatusOr<uint64_t> ChunkPuller::PullOne(PullDestination* dest,
                                              RateLimiter* limiter,
                                              const PullTask& task) {
  DRIVE_ASSIGN_OR_RETURN(bool present, dest->Has(task.account, task.id));
  if (present) return 0;
  DRIVE_ASSIGN_OR_RETURN(std::string data,
                         fetcher_->Fetch(task.account, task.id, task.sources));
  env_->SleepFor(limiter->Reserve(data.size()));
  DRIVE_RETURN_IF_ERROR(dest->PutUnsynced(task.account, task.id, data));
  return data.size();
}

}  // namespace drive::repair
