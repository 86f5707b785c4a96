#include "common/file_path.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"

namespace drive {
namespace {

// Length of the UTF-8 sequence starting at s[i], or 0 if invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  auto cont = [&](size_t k) {
    return k < s.size() && (byte(k) & 0xC0) == 0x80;
  };
  uint8_t c = byte(i);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    uint8_t c1 = byte(i + 1);
    if (c == 0xE0 && c1 < 0xA0) return 0;   // overlong
    if (c == 0xED && c1 >= 0xA0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    uint8_t c1 = byte(i + 1);
    if (c == 0xF0 && c1 < 0x90) return 0;   // overlong
    if (c == 0xF4 && c1 >= 0x90) return 0;  // beyond U+10FFFF
    return 4;
  }
  return 0;
}

absl::Status Invalid(std::string_view path, std::string_view why) {
  std::string shown(path.substr(0, 80));
  for (char& ch : shown) {
    if (static_cast<uint8_t>(ch) < 0x20) ch = '?';
  }
  return absl::InvalidArgumentError(
      absl::StrCat("invalid path \"", shown, "\": ", std::string(why)));
}

}  // namespace

absl::Status ValidateFilePath(std::string_view path) {
  if (path.empty()) return Invalid(path, "empty");
  if (path.size() > kMaxPathBytes) {
    return Invalid(path, absl::StrCat("longer than ", kMaxPathBytes, " bytes"));
  }
  for (size_t i = 0; i < path.size();) {
    uint8_t c = static_cast<uint8_t>(path[i]);
    if (c == 0) return Invalid(path, "contains NUL");
    if (c < 0x20 || c == 0x7F)
      return Invalid(path, "contains a control character");
    if (c == '\\') return Invalid(path, "contains a backslash");
    size_t n = Utf8SequenceLength(path, i);
    if (n == 0) return Invalid(path, "is not valid UTF-8");
    i += n;
  }
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    std::string_view seg = path.substr(start, slash == std::string_view::npos
                                                  ? std::string_view::npos
                                                  : slash - start);
    if (seg.empty())
      return Invalid(path,
                     "has an empty segment (leading, trailing or double '/')");
    if (seg == "." || seg == "..")
      return Invalid(path, "has a '.' or '..' segment");
    if (seg.size() > kMaxPathSegmentBytes) {
      return Invalid(path, absl::StrCat("has a segment longer than ",
                                        kMaxPathSegmentBytes, " bytes"));
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return absl::OkStatus();
}

absl::Status ValidatePathPrefix(std::string_view prefix) {
  if (prefix.empty()) return absl::OkStatus();
  if (prefix.back() == '/') prefix.remove_suffix(1);
  return ValidateFilePath(prefix);
}

}  // namespace drive
