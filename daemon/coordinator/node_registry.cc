#include "daemon/coordinator/node_registry.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/names.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace drive::coordinator {
namespace {

constexpr char kNodePrefix[] = "n/";
constexpr char kEpochKey[] = "m/epoch";
constexpr char kOperatorOutKey[] = "m/operator_out";
constexpr char kDrainingKey[] = "m/draining";

absl::Status LoadIdSet(MetaStore* store, const char* key,
                       std::set<std::string>* out) {
  DRIVE_ASSIGN_OR_RETURN(auto raw, store->Get(key));
  if (!raw) return absl::OkStatus();
  auto j = nlohmann::json::parse(*raw, nullptr, false);
  if (!j.is_array())
    return absl::DataLossError(std::string("unreadable ") + key);
  for (const auto& id : j) {
    if (!id.is_string())
      return absl::DataLossError(std::string("unreadable ") + key);
    out->insert(id.get<std::string>());
  }
  return absl::OkStatus();
}

std::string EncodeIdSet(const std::set<std::string>& ids) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& id : ids) j.push_back(id);
  return j.dump();
}

std::string EncodeNode(const NodeRecord& r) {
  nlohmann::json j;
  j["node"] = r.node;
  j["address"] = r.address;
  j["region"] = r.region;
  j["zone"] = r.zone;
  j["host"] = r.host;
  j["pg_count"] = r.pg_count;
  for (const auto& d : r.drives) {
    j["drives"].push_back(
        {{"name", d.name}, {"capacity_bytes", d.capacity_bytes}});
  }
  return j.dump();
}

absl::StatusOr<NodeRecord> DecodeNode(std::string_view v) try {
  auto j = nlohmann::json::parse(v, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::DataLossError("unreadable node record");
  }
  NodeRecord r;
  r.node = j.value("node", "");
  r.address = j.value("address", "");
  r.region = j.value("region", "");
  r.zone = j.value("zone", "");
  r.host = j.value("host", "");
  r.pg_count = j.value("pg_count", 0u);
  if (j.contains("drives")) {
    for (const auto& d : j["drives"]) {
      DriveReport dr;
      dr.name = d.value("name", "");
      dr.capacity_bytes = d.value("capacity_bytes", uint64_t{0});
      r.drives.push_back(dr);
    }
  }
  return r;
} catch (const nlohmann::json::exception& e) {
  // A field of the wrong type: corrupt metadata is data loss, not a crash.
  return absl::DataLossError(std::string("unreadable node record: ") +
                             e.what());
}

std::string DriveId(const std::string& node, const std::string& drive) {
  return node + "/" + drive;
}

}  // namespace

const DriveView* ClusterView::Find(std::string_view drive_id) const {
  auto it = std::lower_bound(
      drives.begin(), drives.end(), drive_id,
      [](const DriveView& d, std::string_view id) { return d.info.id < id; });
  return it != drives.end() && it->info.id == drive_id ? &*it : nullptr;
}

NodeRegistry::NodeRegistry(MetaStore* store, Env* env, RegistryOptions options)
    : store_(store), env_(env), options_(std::move(options)) {
  view_ = std::make_shared<ClusterView>();
}

absl::Status NodeRegistry::Load() {
  absl::MutexLock lock(&mu_);
  DRIVE_ASSIGN_OR_RETURN(auto epoch, store_->Get(kEpochKey));
  if (epoch && !absl::SimpleAtoi(*epoch, &epoch_)) {
    return absl::DataLossError("unreadable epoch");
  }
  DRIVE_RETURN_IF_ERROR(LoadIdSet(store_, kOperatorOutKey, &operator_out_));
  DRIVE_RETURN_IF_ERROR(LoadIdSet(store_, kDrainingKey, &draining_));
  absl::Status decode_error;
  absl::Time now = env_->Now();
  // Scan calls back on this thread, with mu_ still held.
  auto load = [&](std::string_view, std::string_view v)
                  ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
                    auto r = DecodeNode(v);
                    if (!r.ok()) {
                      decode_error = r.status();
                      return false;
                    }
                    nodes_[r->node] = NodeState{*r, now};
                    return true;
                  };
  DRIVE_RETURN_IF_ERROR(store_->Scan(kNodePrefix, "", load));
  DRIVE_RETURN_IF_ERROR(decode_error);
  return Rebuild(/*force_map=*/true);
}

DriveState NodeRegistry::StateOf(const NodeState& n,
                                 const std::string& drive_id,
                                 absl::Time now) const {
  // A draining drive leaves placement like an out one; the view marks it.
  if (operator_out_.count(drive_id) || draining_.count(drive_id))
    return DriveState::kOut;
  absl::Duration silence = now - n.last_heartbeat;
  if (silence >= options_.out_after) return DriveState::kOut;
  if (silence >= options_.down_after) return DriveState::kDown;
  return DriveState::kUp;
}

absl::Status NodeRegistry::Rebuild(bool force_map) {
  absl::Time now = env_->Now();
  auto view = std::make_shared<ClusterView>();
  std::vector<DriveInfo> infos;
  std::set<std::string> placed;
  for (const auto& [name, n] : nodes_) {
    for (const auto& d : n.record.drives) {
      DriveView dv;
      dv.info.id = DriveId(name, d.name);
      dv.info.node = name;
      dv.info.host = n.record.host;
      dv.info.region = n.record.region;
      dv.info.zone = n.record.zone;
      dv.info.capacity_bytes = std::max<uint64_t>(d.capacity_bytes, 1);
      // A failed drive lost its data: its PGs move now, not after out_after.
      dv.info.state =
          d.error.empty() ? StateOf(n, dv.info.id, now) : DriveState::kOut;
      dv.address = n.record.address;
      dv.name = d.name;
      dv.free_bytes = d.free_bytes;
      dv.chunks = d.chunks;
      dv.logical_bytes = d.logical_bytes;
      dv.heartbeat_age_s = absl::ToDoubleSeconds(now - n.last_heartbeat);
      dv.operator_out = operator_out_.count(dv.info.id) > 0;
      dv.draining = draining_.count(dv.info.id) > 0;
      dv.failed = !d.error.empty();
      dv.error = d.error;
      dv.alive = !dv.failed && now - n.last_heartbeat < options_.down_after;
      dv.scrub = d.scrub;
      if (dv.info.state != DriveState::kOut) placed.insert(dv.info.id);
      infos.push_back(dv.info);
      view->drives.push_back(std::move(dv));
    }
  }
  std::sort(view->drives.begin(), view->drives.end(),
            [](const DriveView& a, const DriveView& b) {
              return a.info.id < b.info.id;
            });
  view->map = view_->map;
  if (force_map || placed != placed_ || !view->map) {
    placed_ = placed;
    DRIVE_RETURN_IF_ERROR(RecomputeMap(infos, view.get()));
  }
  view_ = std::move(view);
  return absl::OkStatus();
}

absl::Status NodeRegistry::RecomputeMap(const std::vector<DriveInfo>& infos,
                                        ClusterView* view) {
  if (placed_.empty()) return absl::OkStatus();
  // Capacity changes alone do not remap: the weights stay those of the last
  // computation until eligibility changes, so usage reports move no data.
  const PlacementMap* old = view->map.get();
  // The first map of this process gets a new epoch even after a restart:
  // liveness restarted too, so it may differ from the one published under
  // the stored epoch, and watchers must refetch.
  uint64_t epoch = old == nullptr ? epoch_ + 1 : epoch_;
  auto next = PlacementMap::Compute(infos, options_.regions, options_.pg_count,
                                    epoch, options_.replicas_per_region);
  if (!next.ok()) {
    // E.g. one region has no drive yet: keep the previous map; the next
    // registration or tick retries.
    return absl::OkStatus();
  }
  bool moved =
      old != nullptr && (old->drives().size() != next->drives().size() ||
                         !PlacementMap::MovedPgs(*old, *next).empty());
  if (moved) {
    ++epoch;
    next = PlacementMap::Compute(infos, options_.regions, options_.pg_count,
                                 epoch, options_.replicas_per_region);
    DRIVE_RETURN_IF_ERROR(next.status());
  }
  if (old == nullptr || moved) {
    if (epoch != epoch_) {
      MetaBatch b;
      b.Put(kEpochKey, absl::StrCat(epoch));
      DRIVE_RETURN_IF_ERROR(store_->Write(b));
      epoch_ = epoch;
    }
    view->map = std::make_shared<PlacementMap>(std::move(*next));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> NodeRegistry::Register(const NodeRecord& record) {
  if (record.node.empty() || record.address.empty() || record.host.empty() ||
      record.drives.empty()) {
    return absl::InvalidArgumentError(
        "registration needs node, address, host and at least one drive");
  }
  DRIVE_RETURN_IF_ERROR(ValidateComponentName("node", record.node));
  for (const auto& d : record.drives) {
    DRIVE_RETURN_IF_ERROR(ValidateComponentName("drive", d.name));
  }
  if (std::find(options_.regions.begin(), options_.regions.end(),
                record.region) == options_.regions.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("node ", record.node, " is in region '", record.region,
                     "', but the cluster's regions are ", options_.regions[0],
                     " and ", options_.regions[1]));
  }
  if (record.pg_count != options_.pg_count) {
    return absl::InvalidArgumentError(
        absl::StrCat("node ", record.node, " has pg_count ", record.pg_count,
                     ", the cluster has ", options_.pg_count));
  }
  absl::MutexLock lock(&mu_);
  MetaBatch b;
  b.Put(kNodePrefix + record.node, EncodeNode(record));
  DRIVE_RETURN_IF_ERROR(store_->Write(b));
  nodes_[record.node] = NodeState{record, env_->Now()};
  DRIVE_RETURN_IF_ERROR(Rebuild(/*force_map=*/false));
  return epoch_;
}

absl::StatusOr<uint64_t> NodeRegistry::Heartbeat(
    const std::string& node, const std::vector<DriveReport>& drives,
    const std::string& address) {
  absl::MutexLock lock(&mu_);
  auto it = nodes_.find(node);
  if (it == nodes_.end()) {
    return absl::NotFoundError("node " + node + " is not registered");
  }
  it->second.last_heartbeat = env_->Now();
  if (!address.empty() && address != it->second.record.address) {
    it->second.record.address = address;
    MetaBatch b;
    b.Put(kNodePrefix + node, EncodeNode(it->second.record));
    DRIVE_RETURN_IF_ERROR(store_->Write(b));
  }
  for (const auto& report : drives) {
    for (auto& d : it->second.record.drives) {
      if (d.name != report.name) continue;
      uint64_t capacity = d.capacity_bytes;  // placement weight stays fixed
      d = report;
      d.capacity_bytes = capacity;
    }
  }
  DRIVE_RETURN_IF_ERROR(Rebuild(/*force_map=*/false));
  return epoch_;
}

bool NodeRegistry::AwaitReportsSince(absl::Time since, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto reported = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    absl::Time now = env_->Now();
    for (const auto& [name, n] : nodes_) {
      if (n.last_heartbeat > since) continue;
      if (now - n.last_heartbeat >= options_.down_after) continue;
      return false;
    }
    return true;
  };
  // Heartbeats wake the wait (they take mu_); the short steps notice a
  // node falling silent, which no call announces.
  absl::Time deadline = absl::Now() + timeout;
  while (!reported()) {
    if (absl::Now() >= deadline) return false;
    mu_.AwaitWithDeadline(
        absl::Condition(&reported),
        std::min(deadline, absl::Now() + absl::Milliseconds(100)));
  }
  return true;
}

void NodeRegistry::Tick() {
  absl::MutexLock lock(&mu_);
  Rebuild(/*force_map=*/false).IgnoreError();  // retried on the next tick
}

absl::StatusOr<uint64_t> NodeRegistry::SetDriveOut(const std::string& drive_id,
                                                   bool out) {
  absl::MutexLock lock(&mu_);
  if (view_->Find(drive_id) == nullptr) {
    return absl::NotFoundError("no drive " + drive_id);
  }
  if (out) {
    operator_out_.insert(drive_id);
  } else {
    operator_out_.erase(drive_id);
    draining_.erase(drive_id);
  }
  DRIVE_RETURN_IF_ERROR(PersistOperatorSets());
  DRIVE_RETURN_IF_ERROR(Rebuild(/*force_map=*/false));
  return epoch_;
}

absl::StatusOr<uint64_t> NodeRegistry::SetDraining(const std::string& drive_id,
                                                   bool draining) {
  absl::MutexLock lock(&mu_);
  if (view_->Find(drive_id) == nullptr) {
    return absl::NotFoundError("no drive " + drive_id);
  }
  if (draining) {
    if (operator_out_.count(drive_id)) {
      return absl::FailedPreconditionError(
          drive_id + " is out already; take it in before draining it");
    }
    draining_.insert(drive_id);
  } else {
    if (!draining_.erase(drive_id)) {
      return absl::FailedPreconditionError(drive_id + " is not draining");
    }
  }
  DRIVE_RETURN_IF_ERROR(PersistOperatorSets());
  DRIVE_RETURN_IF_ERROR(Rebuild(/*force_map=*/false));
  return epoch_;
}

absl::StatusOr<uint64_t> NodeRegistry::FinishDrain(
    const std::string& drive_id) {
  absl::MutexLock lock(&mu_);
  if (!draining_.erase(drive_id)) {
    return absl::FailedPreconditionError(drive_id + " is not draining");
  }
  operator_out_.insert(drive_id);
  DRIVE_RETURN_IF_ERROR(PersistOperatorSets());
  DRIVE_RETURN_IF_ERROR(Rebuild(/*force_map=*/false));
  return epoch_;
}

absl::Status NodeRegistry::PersistOperatorSets() {
  MetaBatch b;
  b.Put(kOperatorOutKey, EncodeIdSet(operator_out_));
  b.Put(kDrainingKey, EncodeIdSet(draining_));
  return store_->Write(b);
}

std::shared_ptr<const ClusterView> NodeRegistry::View() const {
  absl::MutexLock lock(&mu_);
  return view_;
}

uint64_t NodeRegistry::epoch() const {
  absl::MutexLock lock(&mu_);
  return epoch_;
}

std::shared_ptr<const ClusterView> NodeRegistry::WaitForNewerEpoch(
    uint64_t known_epoch, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto newer = [this, known_epoch]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return epoch_ > known_epoch;
  };
  mu_.AwaitWithTimeout(absl::Condition(&newer), timeout);
  return view_;
}

}  // namespace drive::coordinator
