#pragma once

// The attributes a PUT gives the file it stores: `Content-Type` and
// `X-Drive-Mtime` (Unix milliseconds), checked from the request head
// before any body byte is read, by the rules the coordinator applies on
// commit. Pure function.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace drive::gateway {

struct UploadAttributes {
  // "" lets the upload sniff a type from the first bytes.
  std::string content_type;
  int64_t mtime_ms = 0;
};

// Absent Content-Type, and curl's default for --data-binary
// (application/x-www-form-urlencoded, which says nothing about the bytes),
// give ""; an absent X-Drive-Mtime gives `now_ms`. kInvalidArgument (400)
// for a content type ValidateContentType refuses (control bytes,
// non-ASCII, no TYPE/SUBTYPE, over 255 bytes) and for an mtime that is not
// an integer or lies outside 1970..9999 (ValidateTimestampMs).
absl::StatusOr<UploadAttributes> ParseUploadAttributes(
    const std::optional<std::string>& content_type,
    const std::optional<std::string>& mtime, int64_t now_ms);

}  // namespace drive::gateway
