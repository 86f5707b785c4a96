#pragma once

// How large a CoordinatorService request may be. gRPC receives a whole
// unary request before any handler (or authentication) runs, so the
// server's receive limit is what an unauthenticated caller can make the
// coordinator buffer per call: it is sized to the largest legitimate
// message, a CommitFiles at the limits of coordinator/commit_limits.h, and
// every other method is held to a far smaller bound before its caller is
// even looked up. docs/security.md has the derivation.

#include <cstddef>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/file_path.h"
#include "common/names.h"
#include "daemon/coordinator/commit_limits.h"

namespace drive::rpc {

// Bytes of a protobuf varint holding `v`.
constexpr size_t VarintBytes(size_t v) {
  size_t n = 1;
  while (v >= 128) {
    v >>= 7;
    ++n;
  }
  return n;
}
// Bytes of a length-delimited field of `len` bytes (field number <= 15).
constexpr size_t DelimitedBytes(size_t len) {
  return 1 + VarintBytes(len) + len;
}

// A ChunkRecord as a writer fills it: id, size, and at most
// kMaxReplicasPerChunk drive ids of at most kMaxDriveIdBytes.
inline constexpr size_t kMaxChunkRecordBytes =
    DelimitedBytes(DelimitedBytes(16) + 1 + VarintBytes(4u << 20) +
                   coordinator::kMaxReplicasPerChunk *
                       DelimitedBytes(coordinator::kMaxDriveIdBytes));
// A FileManifest's own fields as a writer fills them (path, size, mtime,
// content type, hash), plus its framing inside the request (a length of up
// to 4 varint bytes: a file's chunk records fit in 2^28 bytes).
inline constexpr size_t kMaxManifestBytes =
    1 + 4 + DelimitedBytes(kMaxPathBytes) + 11 + 11 +
    DelimitedBytes(coordinator::kMaxContentTypeBytes) + DelimitedBytes(16);
// The largest legitimate CommitFilesRequest: account, kMaxFilesPerCommit
// manifests holding kMaxChunksPerCommit chunk records between them, one
// expected version per file (packed) and the upload start time.
inline constexpr size_t kMaxCommitFilesRequestBytes =
    DelimitedBytes(kMaxAccountNameBytes) +
    coordinator::kMaxFilesPerCommit * kMaxManifestBytes +
    coordinator::kMaxChunksPerCommit * kMaxChunkRecordBytes +
    DelimitedBytes(coordinator::kMaxFilesPerCommit * 10) + 11;
// The coordinator server's receive limit (gRPC answers RESOURCE_EXHAUSTED
// above it): the largest CommitFiles plus slack for gRPC's framing.
inline constexpr size_t kMaxCoordinatorMessageBytes =
    kMaxCommitFilesRequestBytes + (64 << 10);
// RegisterNode and Heartbeat carry one report per drive of a node.
inline constexpr size_t kMaxNodeReportRequestBytes = 1 << 20;
// Every other request: names, paths, ids and small numbers.
inline constexpr size_t kMaxSmallRequestBytes = 64 << 10;

// The bound above that applies to CoordinatorService method `rpc`.
size_t MaxCoordinatorRequestBytes(std::string_view rpc);
// kResourceExhausted when a `bytes` request is over `rpc`'s bound.
absl::Status CheckCoordinatorRequestSize(std::string_view rpc, size_t bytes);

// Bounds the requests that wait for their caller to be authenticated
// (account tokens are looked up on an executor, behind other work): their
// number and their bytes, so that callers without a valid token cannot
// queue unbounded memory. Thread-safe.
class PendingAuthBudget {
 public:
  PendingAuthBudget(size_t max_calls, size_t max_bytes)
      : max_calls_(max_calls), max_bytes_(max_bytes) {}

  // Books a request of `bytes`; false when the budget is spent (a single
  // request is admitted whatever its size when none waits).
  bool TryAcquire(size_t bytes);
  // Returns what TryAcquire booked.
  void Release(size_t bytes);

 private:
  const size_t max_calls_;
  const size_t max_bytes_;
  absl::Mutex mu_;
  size_t calls_ ABSL_GUARDED_BY(mu_) = 0;
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace drive::rpc
