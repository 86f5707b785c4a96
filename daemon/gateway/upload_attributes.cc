#include "daemon/gateway/upload_attributes.h"

#include "absl/strings/numbers.h"
#include "common/content_type.h"
#include "common/status_macros.h"
#include "common/status_util.h"
#include "common/timestamps.h"

namespace drive::gateway {

absl::StatusOr<UploadAttributes> ParseUploadAttributes(
    const std::optional<std::string>& content_type,
    const std::optional<std::string>& mtime, int64_t now_ms) {
  UploadAttributes out;
  out.content_type = content_type.value_or("");
  if (out.content_type == "application/x-www-form-urlencoded") {
    out.content_type.clear();
  }
  DRIVE_RETURN_IF_ERROR(
      Annotate(ValidateContentType(out.content_type), "Content-Type"));
  out.mtime_ms = now_ms;
  if (mtime && !absl::SimpleAtoi(*mtime, &out.mtime_ms)) {
    return absl::InvalidArgumentError(
        "X-Drive-Mtime must be Unix milliseconds");
  }
  DRIVE_RETURN_IF_ERROR(ValidateTimestampMs("X-Drive-Mtime", out.mtime_ms));
  return out;
}

}  // namespace drive::gateway
