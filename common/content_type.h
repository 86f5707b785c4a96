#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace drive {

// Longest stored content type, bytes.
inline constexpr size_t kMaxContentTypeBytes = 255;

// Accepts "" (no stored type: readers sniff one) and media types as RFC
// 9110 section 8.3.1 writes them, in printable ASCII only: TYPE/SUBTYPE
// (tokens), then parameters `; NAME=VALUE` with VALUE a token or a
// quoted-string, separated by optional spaces; at most kMaxContentTypeBytes.
// A content type is written into HTTP response headers as stored, so
// anything else (CR, LF, other control bytes, non-ASCII, a bare word) is
// kInvalidArgument with a message saying what is wrong.
absl::Status ValidateContentType(std::string_view content_type);

// The type to serve a file with whose stored type is `stored`: `stored`
// when ValidateContentType accepts it and it is not "", else
// "application/octet-stream" (records written before types were checked
// may hold anything).
std::string ServableContentType(std::string_view stored);

// MIME type of a file from its first bytes (JPEG, PNG, GIF, WebP, TIFF,
// HEIC, PDF, Canon CR3/CR2 and other ISO-BMFF), else from the path's
// extension, else "application/octet-stream".
std::string GuessContentType(std::string_view path, std::string_view head);

}  // namespace drive
