// Fuzzes the coordinator's decoding of stored file and trash records
// (daemon/coordinator/file_record.h), JSON read back from its RocksDB.
// Invariants: corrupt bytes fail with kDataLoss, never crash or throw; a
// decoded record re-encodes to a fixed point (decode(encode(r)) == r).

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "common/status_macros.h"
#include "daemon/coordinator/file_record.h"

namespace coord = drive::coordinator;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view v(reinterpret_cast<const char*>(data), size);

  auto file = coord::DecodeFileRecord(v);
  if (file.ok()) {
    std::string once = coord::EncodeFileRecord(*file);
    auto again = coord::DecodeFileRecord(once);
    DRIVE_CHECK(again.ok());
    DRIVE_CHECK(coord::EncodeFileRecord(*again) == once);
    // The same record as trash keeps it whole.
    coord::TrashRecord t{"t1", *file, 1, 2};
    auto trash = coord::DecodeTrashRecord(coord::EncodeTrashRecord(t));
    DRIVE_CHECK(trash.ok());
    DRIVE_CHECK(coord::EncodeFileRecord(trash->file) == once);
  } else {
    DRIVE_CHECK(file.status().code() == absl::StatusCode::kDataLoss);
  }

  auto trash = coord::DecodeTrashRecord(v);
  if (trash.ok()) {
    std::string once = coord::EncodeTrashRecord(*trash);
    auto again = coord::DecodeTrashRecord(once);
    DRIVE_CHECK(again.ok());
    DRIVE_CHECK(coord::EncodeTrashRecord(*again) == once);
  } else {
    DRIVE_CHECK(trash.status().code() == absl::StatusCode::kDataLoss);
  }
  return 0;
}
