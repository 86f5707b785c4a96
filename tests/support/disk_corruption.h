#pragma once

#include <string>
#include <string_view>

namespace drive::testing {

// Flips bytes of a stored chunk on disk the way a failing drive would: finds
// the chunk's raw bytes (stored uncompressed) in the blob and SST files
// under `drive_dir` and XORs `count` bytes starting `offset` bytes into the
// chunk. Returns how many places were changed (0: the bytes were not found,
// e.g. still only in the memtable; close the store first). The chunk must be
// at least 64 bytes so its first 64 bytes locate it.
int CorruptChunkOnDisk(const std::string& drive_dir, std::string_view raw,
                       size_t offset, size_t count = 2);

}  // namespace drive::testing
