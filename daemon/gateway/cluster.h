#pragma once

// What the gateway's request handlers need from the cluster: manifests and
// verified chunks (each with a cache in front), bearer-token verdicts,
// listings, deletes and streamed uploads. ClusterAccess implements it over
// the client library; handler tests use an in-memory fake. Callbacks
// (`done`) run on an executor thread or, for cache hits, on the caller's
// thread, so callers post back to their own strand. Implementations are
// thread-safe.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/chunk_id.h"
#include "drive/client.h"

namespace drive::gateway {

using ChunkRef = std::shared_ptr<const std::string>;
using FileRef = std::shared_ptr<const client::FileInfo>;

// One file uploaded from a stream, for Cluster::Upload.
struct UploadSpec {
  std::string path;
  std::string content_type;
  int64_t mtime_ms = 0;
  // The version the file must be at for the commit (0: it must not
  // exist); a file at another version fails the upload with kAborted.
  // None: any version.
  std::optional<uint64_t> expected_version;
  // Fills up to `max` bytes of the body into `buf`: how many, 0 at the
  // end, or an error that fails the upload.
  std::function<absl::StatusOr<size_t>(char* buf, size_t max)> read;
  // Checks the content hash (XXH3-128) of the whole body before the
  // commit; an error fails the upload with nothing committed.
  std::function<absl::Status(const ChunkId& hash)> check;
};

class Cluster {
 public:
  virtual ~Cluster() = default;

  // True while the coordinator answers.
  virtual bool ready() const = 0;

  // A manifest from the cache: nullopt on a miss; a cached absence is
  // kNotFound.
  virtual std::optional<absl::StatusOr<FileRef>> CachedManifest(
      const std::string& account, const std::string& path) = 0;
  // The file's current manifest (bypassing the cache), or kNotFound;
  // the outcome is cached.
  virtual void FetchManifest(
      const std::string& account, const std::string& path,
      std::function<void(absl::StatusOr<FileRef>)> done) = 0;
  // Replaces the cached manifest after a change made through the gateway
  // (null `file`: the path no longer exists).
  virtual void UpdateManifest(const std::string& account,
                              const std::string& path, FileRef file) = 0;

  // A verified chunk from the cache, or null.
  virtual ChunkRef CachedChunk(const std::string& account,
                               const ChunkId& id) = 0;
  // Chunk `index` of `file`, verified against its id.
  virtual void FetchChunk(
      const std::string& account, FileRef file, size_t index,
      std::function<void(absl::StatusOr<ChunkRef>)> done) = 0;

  // The cached verdict on `token` for `account`, if any.
  virtual std::optional<absl::Status> CachedTokenVerdict(
      const std::string& account, const std::string& token) = 0;
  // The verdict on `token` for `account`: OK, kUnauthenticated (unknown
  // token), kPermissionDenied (another account's) or kUnavailable.
  virtual void VerifyToken(const std::string& account, const std::string& token,
                           std::function<void(absl::Status)> done) = 0;

  // Up to `limit` files under `prefix`, after `cursor` (DriveClient::List).
  virtual void List(
      const std::string& account, const std::string& prefix,
      const std::string& cursor, uint32_t limit,
      std::function<void(absl::StatusOr<client::Listing>)> done) = 0;
  // Moves the file to the trash (DriveClient::Delete).
  virtual void Delete(
      const std::string& account, const std::string& path,
      std::function<void(absl::StatusOr<client::TrashItem>)> done) = 0;
  // Uploads and commits one file: the committed manifest, or why nothing
  // was committed. Holds a thread for the whole body.
  virtual void Upload(
      const std::string& account, UploadSpec spec,
      std::function<void(absl::StatusOr<client::FileInfo>)> done) = 0;
};

}  // namespace drive::gateway
