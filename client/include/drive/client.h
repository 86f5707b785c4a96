#pragma once

// The Drive client library: upload, download, list and manage files of one
// account on a Drive cluster. Used by the `drive` CLI, `drive-admin` and the
// HTTP gateway. Thread-safe: one client may run many transfers at once.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/chunk_id.h"

namespace drive::client {

struct ClientOptions {
  // Coordinators: HOST:PORT, or a list "[REGION=]HOST:PORT,..." to fail
  // over between (those in `region` are tried first).
  std::string coordinator;
  // Bearer token: the account's token (or the admin token).
  std::string token;
  // Account whose files this client manages.
  std::string account;
  // Region the client is in; writes enter the cluster there and reads
  // prefer it. Empty: the map's first region.
  std::string region;
  // Copies a chunk write needs in the writer's region and in the other
  // region before it counts as written. Default: 2 and 1.
  int quorum_local = 2;
  int quorum_remote = 1;
  // Chunks of one file in flight at once (each holds up to 4 MiB).
  // Default: 4.
  int parallel_chunks = 4;
  // Deadline of each coordinator RPC. Default: 60 s.
  absl::Duration timeout = absl::Seconds(60);
  // Deadline of each chunk call to a node (one chunk, <= 4 MiB, with its
  // forwards): a hung node costs at most this much before a read fails
  // over or a write moves on without it. Default: 15 s.
  absl::Duration chunk_timeout = absl::Seconds(15);
};

// One copy of a chunk, as `stat` shows it.
struct ReplicaInfo {
  std::string drive;  // drive id "node/drive"
  std::string node;
  std::string region;
  std::string state;  // up / down / out / unknown
};

struct ChunkInfo {
  ChunkId id;
  uint64_t size = 0;
  std::vector<ReplicaInfo> replicas;
};

struct FileInfo {
  std::string path;
  uint64_t size = 0;
  int64_t mtime_ms = 0;
  std::string content_type;
  ChunkId hash;  // XXH3-128 of the whole file
  uint64_t version = 0;
  std::string durability;  // "local", "geo" or "full"
  int64_t committed_ms = 0;
  std::vector<ChunkInfo> chunks;  // filled by Stat and uploads only
};

// A file whose chunks are durable but not yet committed (see Commit).
struct PreparedFile {
  FileInfo info;
  uint64_t bytes_sent = 0;      // chunk bytes actually sent (not deduplicated)
  uint64_t chunks_skipped = 0;  // chunks already fully stored
  // Coordinator time before the upload looked for existing copies; the
  // commit carries it so garbage collection can refuse a commit that relied
  // on copies it was deleting (see CommitFilesRequest).
  int64_t upload_started_ms = 0;
};

struct Listing {
  std::vector<FileInfo> files;
  std::string next_cursor;  // empty on the last page
};

struct TrashItem {
  std::string trash_id;
  FileInfo file;
  int64_t deleted_ms = 0;
  int64_t purge_after_ms = 0;
};

// Bytes transferred so far, for progress bars; called from worker threads.
using ProgressFn = std::function<void(uint64_t bytes)>;

class DriveClient {
 public:
  // Connects and fetches the placement map. kUnavailable if the coordinator
  // cannot be reached or has no map yet; kInvalidArgument if the token is
  // not printable ASCII of at most 4096 bytes (ValidateMetadataValue).
  static absl::StatusOr<std::unique_ptr<DriveClient>> Connect(
      ClientOptions options);
  ~DriveClient();

  // Uploads a local file's chunks (skipping those the cluster already holds)
  // without committing. Memory stays bounded by parallel_chunks x 4 MiB.
  // kUnavailable when a chunk's write quorum cannot be met.
  absl::StatusOr<PreparedFile> Upload(const std::string& local_path,
                                      const std::string& remote_path,
                                      const std::string& content_type = "",
                                      ProgressFn progress = nullptr);
  // Uploads from an arbitrary stream: `read` fills up to `max` bytes into
  // the buffer and returns how many (0 = end). Used by the HTTP gateway.
  // kInvalidArgument, before any chunk is sent, for a content type or
  // mtime Commit would refuse.
  absl::StatusOr<PreparedFile> UploadStream(
      const std::function<absl::StatusOr<size_t>(char* buf, size_t max)>& read,
      const std::string& remote_path, const std::string& content_type,
      int64_t mtime_ms, ProgressFn progress = nullptr);
  // Commits prepared files atomically (all or nothing). With
  // `expected_versions` (one per file; 0 = the path must not exist), a file
  // whose current version differs aborts the whole commit with kAborted.
  // kInvalidArgument, without calling the coordinator, for a content type
  // ValidateContentType refuses or an mtime outside 1970..9999
  // (ValidateTimestampMs); the coordinator applies the same rules.
  absl::StatusOr<std::vector<FileInfo>> Commit(
      const std::vector<PreparedFile>& files,
      const std::vector<uint64_t>* expected_versions = nullptr);
  // Upload + Commit of one file. A commit refused because garbage
  // collection was deleting chunks the upload found (ABORTED, rare) is
  // retried with a fresh upload, up to 3 times. `uploaded`, if given,
  // receives the last upload's transfer figures.
  absl::StatusOr<FileInfo> PutFile(const std::string& local_path,
                                   const std::string& remote_path,
                                   ProgressFn progress = nullptr,
                                   PreparedFile* uploaded = nullptr);

  // Writes `length` bytes from `offset` of the file (length 0: to the end)
  // to `sink`, chunk by chunk, each verified against its id; fails over to
  // the next copy on error and reports bad copies. kNotFound if absent.
  absl::Status Read(const std::string& remote_path, uint64_t offset,
                    uint64_t length,
                    const std::function<absl::Status(std::string_view)>& sink,
                    const FileInfo* known = nullptr);
  // Chunk `index` of `file` (as returned by Stat, with its chunk list),
  // verified against its id, from the first copy that verifies; bad copies
  // are reported. kOutOfRange for an index past the chunk list, else the
  // errors of Read. Blocks.
  absl::StatusOr<std::string> ReadChunk(const FileInfo& file, size_t index);
  // Downloads to a local file (written to a temp name, verified against
  // the whole-file hash, then renamed into place).
  absl::StatusOr<FileInfo> GetFile(const std::string& remote_path,
                                   const std::string& local_path,
                                   ProgressFn progress = nullptr);

  absl::StatusOr<FileInfo> Stat(const std::string& remote_path);
  absl::StatusOr<Listing> List(const std::string& prefix,
                               const std::string& cursor, uint32_t limit);
  absl::StatusOr<FileInfo> Move(const std::string& from, const std::string& to,
                                bool overwrite);
  // Moves to trash; returns the trash entry.
  absl::StatusOr<TrashItem> Delete(const std::string& remote_path);
  absl::StatusOr<std::vector<TrashItem>> ListTrash(const std::string& prefix);
  absl::StatusOr<FileInfo> Restore(const std::string& id_or_path,
                                   const std::string& to_path);

  // Asks the coordinator whether `token` may act on `account`'s files:
  // OK, kUnauthenticated (not a token it knows) or kPermissionDenied
  // (another account's token). Uses this client's channel, not its token.
  // A token that cannot travel as gRPC metadata (a byte outside printable
  // ASCII, over 4096 bytes) is kUnauthenticated without a call. Blocks for
  // one coordinator call.
  absl::Status CheckToken(const std::string& account, const std::string& token);
  // Fetches the placement map now; an error says the coordinator is not
  // reachable or has no map. Blocks.
  absl::Status RefreshMap();

  const ClientOptions& options() const { return options_; }

 private:
  struct Impl;
  explicit DriveClient(ClientOptions options);
  ClientOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace drive::client
