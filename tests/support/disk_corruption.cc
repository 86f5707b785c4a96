#include "tests/support/disk_corruption.h"

#include <filesystem>
#include <fstream>

#include "tests/support/temp_dir.h"

namespace drive::testing {

int CorruptChunkOnDisk(const std::string& drive_dir, std::string_view raw,
                       size_t offset, size_t count) {
  if (raw.size() < 64 || offset + count > raw.size()) return 0;
  std::string_view needle = raw.substr(0, 64);
  int changed = 0;
  for (const auto& f : std::filesystem::directory_iterator(drive_dir)) {
    std::string ext = f.path().extension().string();
    if (ext != ".blob" && ext != ".sst") continue;
    std::string contents = ReadFileOrEmpty(f.path().string());
    for (size_t at = contents.find(needle); at != std::string::npos;
         at = contents.find(needle, at + 1)) {
      std::fstream io(f.path(),
                      std::ios::in | std::ios::out | std::ios::binary);
      io.seekp(static_cast<std::streamoff>(at + offset));
      for (size_t i = 0; i < count; ++i) {
        io.put(static_cast<char>(contents[at + offset + i] ^ 0x5a));
      }
      ++changed;
    }
  }
  return changed;
}

}  // namespace drive::testing
