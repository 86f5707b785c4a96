#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace drive {

// Wording for the message of an upload-again error (below); for people
// only. Callers decide with IsUploadAgain(), never by searching the text.
inline constexpr char kUploadAgain[] = "upload again";

// Type URL of the payload that marks an upload-again error. The payload's
// value is empty; its presence is the signal. It crosses gRPC as
// drive.v1.StatusReason UPLOAD_AGAIN (common/grpc/status_convert.h).
inline constexpr char kUploadAgainPayloadUrl[] =
    "drive.v1.StatusReason/UPLOAD_AGAIN";

// Returns `s` marked as "upload again": an ABORTED commit that relied on
// copies garbage collection was deleting; uploading the same file again
// (which writes its own copies) succeeds. The client library re-uploads on
// it. OK stays OK (and unmarked).
absl::Status MarkUploadAgain(absl::Status s);

// True when `s` carries the upload-again mark (whatever its message says).
bool IsUploadAgain(const absl::Status& s);

// Returns `s` with `context` prefixed to its message; keeps the code and
// the payloads (e.g. the upload-again mark). OK stays OK.
absl::Status Annotate(const absl::Status& s, std::string_view context);

// Variadic form: Annotate(s, "scrubbing chunk ", id.ToHex()).
template <typename... Args>
absl::Status Annotate(const absl::Status& s, const Args&... parts) {
  if (s.ok()) return s;
  return Annotate(s, std::string_view(absl::StrCat(AbslArg(parts)...)));
}

// The one place errno becomes a Status: ENOSPC/EDQUOT map to
// kResourceExhausted, ENOENT to kNotFound, EIO to kDataLoss, EACCES/EPERM to
// kPermissionDenied, the rest to kInternal.
absl::Status ErrnoToStatus(int err, std::string_view context);

}  // namespace drive
