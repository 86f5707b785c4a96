#pragma once

// The largest commit the coordinator accepts. One CommitFiles call carries a
// batch of manifests (a whole shoot with `drive put --atomic`); these limits
// bound it, so that the request size the RPC layer admits before knowing
// the caller can be derived from them (daemon/rpc/request_limits.h,
// docs/security.md).

#include <cstddef>
#include <vector>

#include "absl/status/status.h"
#include "daemon/coordinator/file_record.h"

namespace drive::coordinator {

// Files in one commit.
inline constexpr size_t kMaxFilesPerCommit = 4096;
// Chunk records in one commit, over all its files: 128 GiB of data at
// 4 MiB per chunk, e.g. 2000 RAW files of 60 MiB, or one 128 GiB file.
inline constexpr size_t kMaxChunksPerCommit = 32768;
// Drives named as holding a chunk: a writer names only drives of the
// chunk's PG, which has six (three in each region).
inline constexpr size_t kMaxReplicasPerChunk = 6;
// Length of a drive id "node/drive": node and drive names have at most 63
// bytes each (ValidateComponentName).
inline constexpr size_t kMaxDriveIdBytes = 2 * 63 + 1;
// Length of a content type (the namespace refuses longer ones).
inline constexpr size_t kMaxContentTypeBytes = 255;

// kInvalidArgument when `files` exceeds any limit above (path and content
// type lengths are the namespace's to check).
absl::Status CheckCommitLimits(const std::vector<FileRecord>& files);

}  // namespace drive::coordinator
