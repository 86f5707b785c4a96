#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "daemon/coordinator/node_transport.h"

namespace drive::testing {

// In-memory drives behind the coordinator's NodeTransport seam: what repair
// and GC tests arrange and inspect. Drives are keyed by drive id
// ("node/drive"); a drive can be made unreachable. Thread-safe.
class FakeNodes : public coordinator::NodeTransport {
 public:
  explicit FakeNodes(uint32_t pg_count) : pg_count_(pg_count) {}

  // Arrange.
  void PutChunk(const std::string& drive, const std::string& account,
                const ChunkId& id, uint64_t size, int64_t stored_at_s = 0);
  // Deletes a copy behind the coordinator's back (a disk fault).
  void RemoveChunk(const std::string& drive, const std::string& account,
                   const ChunkId& id);
  void SetUnreachable(const std::string& drive, bool unreachable);
  // Called before every Delete with (drive, account, id); tests use it to
  // sample copy counts at the moment of deletion.
  void OnDelete(std::function<void(const std::string&, const std::string&,
                                   const ChunkId&)>
                    hook);

  // Called at the start of every Pull (outside the fake's lock).
  void OnPull(std::function<void()> hook) { on_pull_ = std::move(hook); }

  // Inspect.
  bool Has(const std::string& drive, const std::string& account,
           const ChunkId& id) const;
  // Drives holding the chunk.
  std::set<std::string> HoldersOf(const std::string& account,
                                  const ChunkId& id) const;
  uint64_t ChunksOn(const std::string& drive) const;
  // Chunk ids pulled, in the order the pulls arrived.
  std::vector<ChunkId> pull_order() const;
  int deletes() const;

  // NodeTransport.
  absl::StatusOr<std::vector<coordinator::PgDigestInfo>> Digests(
      const coordinator::DriveView& drive) override;
  absl::StatusOr<coordinator::PgChunkPage> ListPg(
      const coordinator::DriveView& drive, uint32_t pg,
      const std::string& cursor, uint32_t limit) override;
  absl::StatusOr<coordinator::PullOutcome> Pull(
      const coordinator::DriveView& target,
      const std::vector<coordinator::PullTask>& tasks) override;
  absl::StatusOr<uint64_t> Delete(const coordinator::DriveView& drive,
                                  const std::string& account,
                                  const std::vector<ChunkId>& ids,
                                  int64_t stored_before_unix_s) override;
  absl::StatusOr<std::vector<absl::Status>> Verify(
      const coordinator::DriveView& drive, const std::string& account,
      const std::vector<ChunkId>& ids) override;
  coordinator::DriveScrubOutcome Scrub(const coordinator::DriveView& drive,
                                       bool start) override;
  absl::Status PutBackupRecord(const coordinator::DriveView& drive,
                               const std::string& id, const std::string& record,
                               const std::vector<std::string>& remove) override;

 private:
  struct Copy {
    uint64_t size = 0;
    int64_t stored_at_s = 0;
  };
  using Key = std::pair<std::string, ChunkId>;  // account, id
  absl::Status Reach(const std::string& drive) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const uint32_t pg_count_;
  mutable absl::Mutex mu_;
  std::map<std::string, std::map<Key, Copy>> drives_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> unreachable_ ABSL_GUARDED_BY(mu_);
  std::vector<ChunkId> pulls_ ABSL_GUARDED_BY(mu_);
  int deletes_ ABSL_GUARDED_BY(mu_) = 0;
  std::function<void(const std::string&, const std::string&, const ChunkId&)>
      on_delete_;
  std::function<void()> on_pull_;
};

}  // namespace drive::testing
