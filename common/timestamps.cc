#include "common/timestamps.h"

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace drive {

absl::Status ValidateTimestampMs(std::string_view what, int64_t unix_ms) {
  if (unix_ms < kMinTimestampMs || unix_ms > kMaxTimestampMs) {
    return absl::InvalidArgumentError(absl::StrCat(
        Sv(what), " ", unix_ms,
        " is outside 1970-01-01..9999-12-31 (0..253402300799999 Unix ms)"));
  }
  return absl::OkStatus();
}

}  // namespace drive
