#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "rocksdb/status.h"

namespace drive::storage {

// The one place rocksdb::Status becomes absl::Status. Corruption maps to
// kDataLoss, NoSpace to kResourceExhausted, NotFound to kNotFound, busy and
// timeouts to kUnavailable, IOError to kUnavailable (the drive may recover),
// InvalidArgument to kInvalidArgument, everything else to kInternal.
absl::Status FromRocksDb(const rocksdb::Status& s, std::string_view context);

}  // namespace drive::storage
