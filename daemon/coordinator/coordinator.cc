#include "daemon/coordinator/coordinator.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/data_token.h"
#include "common/placement_group.h"
#include "common/status_macros.h"
#include "spdlog/spdlog.h"

namespace drive::coordinator {
Coordinator::Coordinator(NodeRegistry* registry, Namespace* ns, Env* env,
                         CoordinatorOptions options)
    : registry_(registry), ns_(ns), env_(env), options_(std::move(options)) {}

absl::StatusOr<Caller> Coordinator::Authenticate(std::string_view token) {
  if (token.empty()) return absl::UnauthenticatedError("missing bearer token");
  if (!options_.admin_token.empty() &&
      SecretsEqual(token, options_.admin_token)) {
    return Caller{Role::kAdmin, ""};
  }
  if (!options_.cluster_token.empty() &&
      SecretsEqual(token, options_.cluster_token)) {
    return Caller{Role::kCluster, ""};
  }
  DRIVE_ASSIGN_OR_RETURN(std::string account, ns_->AccountForToken(token));
  return Caller{Role::kAccount, account};
}

absl::Status Coordinator::Require(const Caller& caller, Role role) const {
  if (caller.role == Role::kAdmin || caller.role == role)
    return absl::OkStatus();
  return absl::PermissionDeniedError("this call needs another token");
}

absl::Status Coordinator::RequireAccount(const Caller& caller,
                                         const std::string& account) const {
  // The cluster token already signs data tokens for every account, so
  // letting it act on files adds no power; the HTTP gateway relies on it to
  // serve signed URLs, which carry no account token.
  if (caller.role == Role::kAdmin || caller.role == Role::kCluster) {
    return absl::OkStatus();
  }
  if (caller.role == Role::kAccount && caller.account == account) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError("token does not grant access to account " +
                                     account);
}

std::pair<std::string, int64_t> Coordinator::IssueDataToken(
    const std::string& account) {
  int64_t expires = absl::ToUnixSeconds(env_->Now() + options_.data_token_ttl);
  return {drive::IssueDataToken(options_.cluster_token, account, expires),
          expires};
}

absl::StatusOr<std::string> Coordinator::DurabilityOf(
    const std::string& account, const FileRecord& f,
    const ClusterView& view) const {
  const PlacementMap& map = *view.map;
  bool full = true;
  for (size_t i = 0; i < f.chunks.size(); ++i) {
    const ChunkRef& c = f.chunks[i];
    std::set<std::string> held(c.replicas.begin(), c.replicas.end());
    std::map<std::string, int> per_region;
    for (const auto& id : held) {
      const DriveView* d = view.Find(id);
      if (d == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat(f.path, ": chunk ", i, " names unknown drive ", id));
      }
      per_region[d->info.region]++;
    }
    for (const auto& region : map.regions()) {
      if (per_region[region] == 0) {
        return absl::FailedPreconditionError(absl::StrCat(
            f.path, ": chunk ", i, " has no copy in region ", region,
            "; the write quorum was not met, nothing committed"));
      }
    }
    const auto& placed = map.DrivesOf(PgOf(account, c.id, map.pg_count()));
    if (placed.size() < map.regions().size() * map.replicas_per_region()) {
      full = false;
    }
    for (const auto& id : placed) full = full && held.count(id) > 0;
  }
  return std::string(full ? "full" : "geo");
}

absl::StatusOr<std::vector<FileRecord>> Coordinator::Commit(
    const std::string& account, std::vector<FileRecord> files,
    const std::vector<uint64_t>* expected_versions) {
  auto view = registry_->View();
  if (!view->map) return absl::FailedPreconditionError("no placement map yet");
  for (auto& f : files) {
    DRIVE_ASSIGN_OR_RETURN(f.durability, DurabilityOf(account, f, *view));
  }
  return ns_->Commit(account, std::move(files), expected_versions);
}

void Coordinator::ReportBadReplica(const std::string& account,
                                   const ChunkId& id,
                                   const std::string& drive_id,
                                   const std::string& reason) {
  ++bad_reports_;
  spdlog::warn(
      "event=bad_replica_reported account={} chunk={} drive={} reason=\"{}\"",
      account, id.ToHex(), drive_id, reason);
}

PgHealth Coordinator::Health() const {
  PgHealth h;
  auto view = registry_->View();
  if (!view->map) return h;
  const PlacementMap& map = *view->map;
  for (uint32_t pg = 0; pg < map.pg_count(); ++pg) {
    const auto& drives = map.DrivesOf(pg);
    std::map<std::string, int> up;
    for (const auto& id : drives) {
      const DriveView* d = view->Find(id);
      if (d && d->info.state == DriveState::kUp) up[d->info.region]++;
    }
    size_t regions_up = up.size();
    int total_up = 0;
    for (const auto& [r, n] : up) total_up += n;
    if (regions_up == 0) {
      ++h.unavailable;
    } else if (regions_up == 1) {
      ++h.one_region;
    } else if (static_cast<size_t>(total_up) == drives.size() &&
               drives.size() ==
                   map.regions().size() * map.replicas_per_region()) {
      ++h.full;
    } else {
      ++h.degraded;
    }
  }
  return h;
}

}  // namespace drive::coordinator
