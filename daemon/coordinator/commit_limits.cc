#include "daemon/coordinator/commit_limits.h"

#include "absl/strings/str_cat.h"

namespace drive::coordinator {

absl::Status CheckCommitLimits(const std::vector<FileRecord>& files) {
  if (files.size() > kMaxFilesPerCommit) {
    return absl::InvalidArgumentError(
        absl::StrCat("a commit holds at most ", kMaxFilesPerCommit,
                     " files, got ", files.size(), "; commit in batches"));
  }
  size_t chunks = 0;
  for (const auto& f : files) {
    chunks += f.chunks.size();
    for (const auto& c : f.chunks) {
      if (c.replicas.size() > kMaxReplicasPerChunk) {
        return absl::InvalidArgumentError(
            absl::StrCat(f.path, ": a chunk names ", c.replicas.size(),
                         " drives, at most ", kMaxReplicasPerChunk));
      }
      for (const auto& r : c.replicas) {
        if (r.size() > kMaxDriveIdBytes) {
          return absl::InvalidArgumentError(absl::StrCat(
              f.path, ": drive id longer than ", kMaxDriveIdBytes, " bytes"));
        }
      }
    }
  }
  if (chunks > kMaxChunksPerCommit) {
    return absl::InvalidArgumentError(
        absl::StrCat("a commit holds at most ", kMaxChunksPerCommit,
                     " chunks, got ", chunks, "; commit in batches"));
  }
  return absl::OkStatus();
}

}  // namespace drive::coordinator
