#include "common/status_util.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "common/strings.h"

namespace drive {

absl::Status Annotate(const absl::Status& s, std::string_view context) {
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(Sv(context), ": ", s.message()));
}

absl::Status ErrnoToStatus(int err, std::string_view context) {
  std::string msg = absl::StrCat(Sv(context), ": ", std::strerror(err));
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(msg);
    case ENOENT:
      return absl::NotFoundError(msg);
    case EIO:
      return absl::DataLossError(msg);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(msg);
    case EEXIST:
      return absl::AlreadyExistsError(msg);
    case EINVAL:
      return absl::InvalidArgumentError(msg);
    default:
      return absl::InternalError(msg);
  }
}

}  // namespace drive
