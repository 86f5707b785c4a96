#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/chunk_id.h"
#include "daemon/coordinator/node_registry.h"

namespace drive::coordinator {

// One PG's digest on one drive (common/pg_digest.h).
struct PgDigestInfo {
  uint32_t pg = 0;
  uint64_t chunks = 0;
  uint64_t bytes = 0;
  std::string hash;  // 16 bytes
  friend bool operator==(const PgDigestInfo&, const PgDigestInfo&) = default;
};

// One chunk copy a drive lists.
struct PgChunkInfo {
  std::string account;
  ChunkId id;
  uint64_t raw_length = 0;
  int64_t stored_at_unix_s = 0;
};

struct PgChunkPage {
  std::vector<PgChunkInfo> chunks;
  std::string next;  // empty on the last page
};

// A drive a chunk is read from.
struct PullSource {
  std::string address;
  std::string drive;
  std::string drive_id;
};

// Copy one chunk onto a drive.
struct PullTask {
  std::string account;
  ChunkId id;
  uint64_t size = 0;
  std::vector<PullSource> sources;  // tried in order
};

struct PullOutcome {
  std::vector<absl::Status> results;  // parallel to the tasks
  uint64_t bytes_copied = 0;
};

// What a drive's scrub pass found, or its progress.
struct DriveScrubOutcome {
  std::string drive_id;
  ScrubProgress progress;
  uint64_t verified_chunks = 0;
  uint64_t corrupt_found = 0;
  uint64_t repaired = 0;
  absl::Status status;
};

// How the coordinator reaches storage nodes for repair, GC, scrub and
// backups: the seam unit tests replace with fake drives. Implementations are
// thread-safe; calls block with their own deadlines.
class NodeTransport {
 public:
  virtual ~NodeTransport() = default;
  // Digests of every PG holding chunks on the drive.
  virtual absl::StatusOr<std::vector<PgDigestInfo>> Digests(
      const DriveView& drive) = 0;
  // One page of the drive's chunks of `pg`, after `cursor`.
  virtual absl::StatusOr<PgChunkPage> ListPg(const DriveView& drive,
                                             uint32_t pg,
                                             const std::string& cursor,
                                             uint32_t limit) = 0;
  // Copies chunks onto `target` from the tasks' sources.
  virtual absl::StatusOr<PullOutcome> Pull(
      const DriveView& target, const std::vector<PullTask>& tasks) = 0;
  // Deletes chunks of one account (stored_before_unix_s as in ChunkStore).
  virtual absl::StatusOr<uint64_t> Delete(const DriveView& drive,
                                          const std::string& account,
                                          const std::vector<ChunkId>& ids,
                                          int64_t stored_before_unix_s) = 0;
  // Has the drive verify copies now (a corrupt one is quarantined and
  // repaired by the node); per id: OK, kNotFound or kDataLoss.
  virtual absl::StatusOr<std::vector<absl::Status>> Verify(
      const DriveView& drive, const std::string& account,
      const std::vector<ChunkId>& ids) = 0;
  // Runs a scrub pass (start) or reports progress, for one drive.
  virtual DriveScrubOutcome Scrub(const DriveView& drive, bool start) = 0;
  // Keeps a metadata backup record on every drive of the node.
  virtual absl::Status PutBackupRecord(
      const DriveView& drive, const std::string& id, const std::string& record,
      const std::vector<std::string>& remove) = 0;
};

}  // namespace drive::coordinator
