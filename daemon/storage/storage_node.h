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

// The drives one storage node serves, by name. Thread-safe; the set of
// drives is fixed at Open.
class StorageNode {
 public:
  // Opens every drive; fails (closing those already open) if any fails or
  // a name is empty or repeated (kInvalidArgument).
  static absl::StatusOr<std::unique_ptr<StorageNode>> Open(
      std::string node_name, std::vector<DriveConfig> drives);

  // The drive called `name`; kNotFound if this node has none.
  absl::StatusOr<ChunkStore*> drive(std::string_view name) const;
  const std::vector<std::string>& drive_names() const { return names_; }
  const std::string& name() const { return name_; }

 private:
  StorageNode() = default;
  std::string name_;
  std::vector<std::string> names_;
  std::vector<std::unique_ptr<ChunkStore>> stores_;  // parallel to names_
};

}  // namespace drive::storage
