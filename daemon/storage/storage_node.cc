#include "daemon/storage/storage_node.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/names.h"
#include "common/status_macros.h"
#include "common/status_util.h"
#include "common/strings.h"

namespace drive::storage {

absl::StatusOr<std::unique_ptr<StorageNode>> StorageNode::Open(
    std::string node_name, std::vector<DriveConfig> drives) {
  if (drives.empty()) {
    return absl::InvalidArgumentError(
        "a storage node needs at least one drive");
  }
  std::unique_ptr<StorageNode> node(new StorageNode());
  node->name_ = std::move(node_name);
  for (auto& d : drives) {
    DRIVE_RETURN_IF_ERROR(ValidateComponentName("drive", d.name));
    if (std::find(node->names_.begin(), node->names_.end(), d.name) !=
        node->names_.end()) {
      return absl::InvalidArgumentError("drive name repeated: " + d.name);
    }
    auto store = ChunkStore::Open(d.store);
    if (!store.ok()) return Annotate(store.status(), "drive ", d.name);
    node->names_.push_back(d.name);
    node->stores_.push_back(std::move(*store));
  }
  return node;
}

absl::StatusOr<ChunkStore*> StorageNode::drive(std::string_view name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return stores_[i].get();
  }
  return absl::NotFoundError(
      absl::StrCat("node ", name_, " has no drive named '", Sv(name), "'"));
}

}  // namespace drive::storage
