#include "common/file_path.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace drive {
namespace {

using ::drive::testing::StatusIs;

// A path of exactly `bytes` bytes made of 200-byte segments.
std::string PathOfLength(size_t bytes) {
  std::string path;
  while (path.size() < bytes) {
    if (!path.empty()) path += '/';
    path += std::string(std::min<size_t>(200, bytes - path.size()), 'x');
  }
  return path;
}

std::vector<std::string> HostilePaths() {
  return {
      "",
      "../x",
      "a/../b",
      "..",
      ".",
      "a/./b",
      "./a",
      "a/.",
      "a//b",
      "/a",
      "a/",
      "/",
      std::string("a\0b", 3),
      std::string("a/b\0", 4),
      "a\nb",
      "a\tb",
      "a\x7f",
      "a\\b",
      "..\\x",
      "\xff",              // never valid in UTF-8
      "caf\xe9",           // Latin-1, not UTF-8
      "\x80x",             // lone continuation byte
      "\xc3",              // truncated two-byte sequence
      "\xc0\xaf",          // overlong '/'
      "\xe0\x80\xaf",      // overlong '/'
      "\xf0\x80\x80\xaf",  // overlong '/'
      "\xed\xa0\x80",      // UTF-16 surrogate U+D800
      "\xf4\x90\x80\x80",  // above U+10FFFF
      "\xf5\x80\x80\x80",  // lead byte beyond U+10FFFF
      PathOfLength(kMaxPathBytes + 1),
      std::string(kMaxPathSegmentBytes + 1, 's'),
  };
}

TEST(FilePathTest, AcceptsOrdinaryPaths) {
  for (const std::string path : {
           "IMG_0001.CR3",
           "sessions/2026-11-28-smith/IMG_0001.CR3",
           "sessions/2026/Café/IMG_0001.CR3",
           "Kunden/Müller & Söhne/Ω/写真/😀.jpg",
           "a/b/c/d/e/f",
           ".hidden/..dots/...",
           "name with spaces/x.tar.gz",
           "a-b_c~d(1)[2]{3}'\"#%",
       }) {
    EXPECT_OK(ValidateFilePath(path)) << path;
  }
}

TEST(FilePathTest, AcceptsPathsAtTheLengthLimits) {
  EXPECT_OK(ValidateFilePath(PathOfLength(kMaxPathBytes)));
  EXPECT_OK(ValidateFilePath(std::string(kMaxPathSegmentBytes, 's')));
  EXPECT_OK(ValidateFilePath("a/" + std::string(kMaxPathSegmentBytes, 's')));
}

TEST(FilePathTest, RejectsEachHostileFormAsInvalidArgument) {
  for (const auto& path : HostilePaths()) {
    EXPECT_THAT(ValidateFilePath(path),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << "path of " << path.size() << " bytes: " << path;
  }
}

TEST(FilePathTest, ErrorMessageShowsNoRawControlCharacters) {
  absl::Status s = ValidateFilePath("evil\n\x1b[31mred");
  ASSERT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(s.message().find('\n'), absl::string_view::npos) << s.message();
  EXPECT_EQ(s.message().find('\x1b'), absl::string_view::npos) << s.message();
}

TEST(FilePathTest, PrefixMayBeEmptyOrEndInOneSlash) {
  for (const std::string prefix :
       {"", "sessions", "sessions/", "sessions/2026/Café/", "IMG_"}) {
    EXPECT_OK(ValidatePathPrefix(prefix)) << prefix;
  }
}

TEST(FilePathTest, PrefixRejectsHostileForms) {
  for (const std::string& prefix :
       std::vector<std::string>{"/", "//", "a//", "../", "a/../", "./", "/a",
                                std::string("a\0/", 3), "\xc0\xaf/"}) {
    EXPECT_THAT(ValidatePathPrefix(prefix),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << prefix;
  }
}

}  // namespace
}  // namespace drive
