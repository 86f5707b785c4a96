#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "daemon/storage/chunk_store.h"

namespace drive::storage {

// One drive of a node as configured.
struct DriveConfig {
  // Name the cluster knows the drive by, unique on the node ("d0").
  std::string name;
  ChunkStoreOptions store;
};

// A configured drive that could not be opened.
struct FailedDrive {
  std::string name;
  std::string path;
  absl::Status status;  // why, e.g. kDataLoss for damaged RocksDB files
};

// The drives one storage node serves, by name. One bad disk does not stop
// the others: a drive that fails to open is kept aside as failed (reported
// to the coordinator, which moves its PGs elsewhere) and the node serves
// the rest. Thread-safe; the set of drives is fixed at Open.
class StorageNode {
 public:
  // Opens every drive. A name that is empty, invalid or repeated fails the
  // whole node (kInvalidArgument); a drive that does not open is recorded
  // in failed_drives(). Fails with the drives' errors if none opened.
  static absl::StatusOr<std::unique_ptr<StorageNode>> Open(
      std::string node_name, std::vector<DriveConfig> drives);

  // The drive called `name`; kFailedPrecondition if it failed to open,
  // kNotFound if this node has none.
  absl::StatusOr<ChunkStore*> drive(std::string_view name) const;
  // The drives that opened, in configuration order.
  const std::vector<std::string>& drive_names() const { return names_; }
  const std::vector<FailedDrive>& failed_drives() const { return failed_; }
  const std::string& name() const { return name_; }

 private:
  StorageNode() = default;
  std::string name_;
  std::vector<std::string> names_;
  std::vector<std::unique_ptr<ChunkStore>> stores_;  // parallel to names_
  std::vector<FailedDrive> failed_;
};

}  // namespace drive::storage
