#pragma once

#include <cstdint>
#include <string>

namespace drive::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on
// destruction unless DRIVE_KEEP_TEST_DIRS is set. Not thread-safe.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Deterministic pseudo-random bytes (xorshift) for a given seed.
std::string RandomBytes(size_t n, uint64_t seed);

// Whole contents of a file; empty string if unreadable.
std::string ReadFileOrEmpty(const std::string& path);

}  // namespace drive::testing
