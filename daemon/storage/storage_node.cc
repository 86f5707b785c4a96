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
  std::vector<std::string> seen;
  for (const auto& d : drives) {
    DRIVE_RETURN_IF_ERROR(ValidateComponentName("drive", d.name));
    if (std::find(seen.begin(), seen.end(), d.name) != seen.end()) {
      return absl::InvalidArgumentError("drive name repeated: " + d.name);
    }
    seen.push_back(d.name);
  }
  std::string errors;
  for (auto& d : drives) {
    auto store = ChunkStore::Open(d.store);
    if (!store.ok()) {
      absl::Status s = Annotate(store.status(), "drive ", d.name);
      absl::StrAppend(&errors, errors.empty() ? "" : "; ", s.ToString());
      node->failed_.push_back({d.name, d.store.path, std::move(s)});
      continue;
    }
    node->names_.push_back(d.name);
    node->stores_.push_back(std::move(*store));
  }
  if (node->names_.empty()) {
    return absl::Status(node->failed_[0].status.code(),
                        "no drive could be opened: " + errors);
  }
  return node;
}

absl::StatusOr<ChunkStore*> StorageNode::drive(std::string_view name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return stores_[i].get();
  }
  for (const auto& f : failed_) {
    if (f.name == name) {
      return absl::FailedPreconditionError(
          absl::StrCat("drive ", f.name, " of node ", name_,
                       " failed to open: ", f.status.message()));
    }
  }
  return absl::NotFoundError(
      absl::StrCat("node ", name_, " has no drive named '", Sv(name), "'"));
}

}  // namespace drive::storage
