#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace drive {

// Longest file path within an account, bytes; longest single segment.
inline constexpr size_t kMaxPathBytes = 1024;
inline constexpr size_t kMaxPathSegmentBytes = 255;

// Accepts relative paths like "sessions/2026-11-28-smith/IMG_0001.CR3":
// valid UTF-8 (no overlong forms or surrogates), 1..1024 bytes, segments of
// 1..255 bytes separated by single '/', no "." or ".." segment, no leading
// or trailing '/', no NUL, control character or backslash. Everything else
// is kInvalidArgument with a message saying what is wrong.
absl::Status ValidateFilePath(std::string_view path);

// Accepts a listing prefix: "" or anything that ValidateFilePath accepts,
// optionally with one trailing '/'.
absl::Status ValidatePathPrefix(std::string_view prefix);

}  // namespace drive
