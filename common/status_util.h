#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace drive {

// In an ABORTED commit: the upload relied on copies garbage collection was
// deleting; uploading the same file again (which writes its own copies)
// succeeds. The client library retries on it.
inline constexpr char kUploadAgain[] = "upload again";

// Returns `s` with `context` prefixed to its message; keeps the code. OK
// stays OK.
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
