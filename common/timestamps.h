#pragma once

// The range of file timestamps Drive stores (a file's mtime, given by the
// uploader). Listings and HTTP dates print them as calendar dates, which
// only make sense for years 1970..9999.

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"

namespace drive {

// 1970-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z as Unix ms.
inline constexpr int64_t kMinTimestampMs = 0;
inline constexpr int64_t kMaxTimestampMs = 253402300799999;

// OK for Unix milliseconds in [kMinTimestampMs, kMaxTimestampMs];
// kInvalidArgument otherwise, naming `what` ("mtime").
absl::Status ValidateTimestampMs(std::string_view what, int64_t unix_ms);

}  // namespace drive
