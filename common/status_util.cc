#include "common/status_util.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/cord.h"
#include "common/strings.h"

namespace drive {

absl::Status Annotate(const absl::Status& s, std::string_view context) {
  if (s.ok()) return s;
  absl::Status out(s.code(), absl::StrCat(Sv(context), ": ", s.message()));
  s.ForEachPayload([&out](absl::string_view url, const absl::Cord& value) {
    out.SetPayload(url, value);
  });
  return out;
}

absl::Status MarkUploadAgain(absl::Status s) {
  if (!s.ok()) s.SetPayload(kUploadAgainPayloadUrl, absl::Cord());
  return s;
}

bool IsUploadAgain(const absl::Status& s) {
  return s.GetPayload(kUploadAgainPayloadUrl).has_value();
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
