#include "daemon/storage/rocksdb_status.h"

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace drive::storage {

absl::Status FromRocksDb(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat(Sv(context), ": ", s.ToString());
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsNoSpace()) return absl::ResourceExhaustedError(msg);
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain() || s.IsIOError()) {
    return absl::UnavailableError(msg);
  }
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(msg);
  if (s.IsShutdownInProgress()) return absl::UnavailableError(msg);
  return absl::InternalError(msg);
}

}  // namespace drive::storage
