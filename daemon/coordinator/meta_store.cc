#include "daemon/coordinator/meta_store.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace drive::coordinator {

std::vector<MetaBatch::Op> MetaBatch::FinalOps() const {
  std::map<std::string_view, const Op*> last;
  for (const Op& op : ops_) last[op.key] = &op;
  std::vector<Op> out;
  out.reserve(last.size());
  for (const auto& [key, op] : last) out.push_back(*op);
  return out;
}

absl::Status CheckKey(std::string_view key) {
  if (key.empty()) return absl::InvalidArgumentError("empty metadata key");
  if (key[0] == '\0') {
    return absl::InvalidArgumentError(
        "metadata keys starting with NUL are reserved for the store");
  }
  return absl::OkStatus();
}

absl::Status CheckBatch(const MetaBatch& batch,
                        const std::vector<MetaBatch::Op>& final_ops,
                        const MetaLimits& limits) {
  for (const auto& op : final_ops) DRIVE_RETURN_IF_ERROR(CheckKey(op.key));
  for (const auto& c : batch.conditions())
    DRIVE_RETURN_IF_ERROR(CheckKey(c.key));
  if (limits.max_ops <= 0) return absl::OkStatus();
  size_t max = static_cast<size_t>(limits.max_ops);
  if (final_ops.size() > max || batch.conditions().size() > max) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "metadata write of ", final_ops.size(), " keys and ",
        batch.conditions().size(), " conditions exceeds the store's limit of ",
        limits.max_ops,
        " of each per write (on etcd: --max-txn-ops); nothing written"));
  }
  return absl::OkStatus();
}

absl::Status MetaStore::CheckLimits(const MetaBatch& batch) const {
  return CheckBatch(batch, batch.FinalOps(), limits());
}

absl::StatusOr<std::optional<std::string>> MetaStore::Get(
    std::string_view key) {
  DRIVE_ASSIGN_OR_RETURN(auto record, Read(key));
  if (!record) return std::nullopt;
  return std::move(record->value);
}

absl::Status MetaStore::Write(const MetaBatch& batch) {
  DRIVE_RETURN_IF_ERROR(Commit(batch).status());
  ++writes_;  // after the write is visible: see writes()
  return absl::OkStatus();
}

absl::Status MetaStore::Scan(
    std::string_view prefix, std::string_view start,
    const std::function<bool(std::string_view, std::string_view)>& fn) {
  return ScanEntries(prefix, start,
                     [&](const MetaEntry& e) { return fn(e.key, e.value); });
}

}  // namespace drive::coordinator
