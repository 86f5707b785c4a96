#include "daemon/coordinator/coordinator.h"

#include <algorithm>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/data_token.h"
#include "common/placement_group.h"
#include "common/status_macros.h"
#include "daemon/coordinator/commit_limits.h"
#include "spdlog/spdlog.h"

namespace drive::coordinator {
Coordinator::Coordinator(NodeRegistry* registry, Namespace* ns, Env* env,
                         CoordinatorOptions options)
    : registry_(registry), ns_(ns), env_(env), options_(std::move(options)) {
  allow_local_ = options_.allow_local_writes;
}

void Coordinator::SetRepairPlanner(RepairPlanner* planner,
                                   std::function<void()> wake_repair) {
  planner_ = planner;
  wake_repair_ = std::move(wake_repair);
}

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
  if (caller.role == role) return absl::OkStatus();
  if (caller.role == Role::kAdmin && role != Role::kCluster) {
    return absl::OkStatus();
  }
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
  bool local = false;
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
      if (per_region[region] == 0 && !(allow_local_ && !held.empty())) {
        return absl::FailedPreconditionError(absl::StrCat(
            f.path, ": chunk ", i, " has no copy in region ", region,
            "; the write quorum was not met, nothing committed"));
      }
      if (per_region[region] == 0) local = true;
    }
    const auto& placed = map.DrivesOf(PgOf(account, c.id, map.pg_count()));
    if (placed.size() < map.regions().size() * map.replicas_per_region()) {
      full = false;
    }
    for (const auto& id : placed) full = full && held.count(id) > 0;
  }
  return std::string(local ? "local" : full ? "full" : "geo");
}

absl::StatusOr<std::vector<FileRecord>> Coordinator::Commit(
    const std::string& account, std::vector<FileRecord> files,
    const std::vector<uint64_t>* expected_versions, int64_t upload_started_ms) {
  DRIVE_RETURN_IF_ERROR(CheckCommitLimits(files));
  auto view = registry_->View();
  if (!view->map) return absl::FailedPreconditionError("no placement map yet");
  for (auto& f : files) {
    DRIVE_ASSIGN_OR_RETURN(f.durability, DurabilityOf(account, f, *view));
  }
  DRIVE_ASSIGN_OR_RETURN(
      auto committed, ns_->Commit(account, std::move(files), expected_versions,
                                  upload_started_ms));
  // Copies a degraded write missed are anti-entropy's to complete.
  bool short_copies = false;
  if (planner_ != nullptr) {
    const PlacementMap& map = *view->map;
    for (const auto& f : committed) {
      if (f.durability == "full") continue;
      for (const auto& c : f.chunks) {
        planner_->MarkDirty(PgOf(account, c.id, map.pg_count()));
      }
      short_copies = true;
    }
  }
  if (short_copies && wake_repair_) wake_repair_();
  return committed;
}

std::string Coordinator::DurabilityNow(const std::string& account,
                                       const FileRecord& f) const {
  auto view = registry_->View();
  if (!view->map) return f.durability;
  const PlacementMap& map = *view->map;
  const size_t want = map.regions().size() * map.replicas_per_region();
  bool full = true;
  for (const auto& c : f.chunks) {
    // No drive holds it: the file cannot be read back, whatever else holds.
    if (planner_ && planner_->IsLost(account, c.id)) return "lost";
    uint32_t pg = PgOf(account, c.id, map.pg_count());
    const auto& placed = map.DrivesOf(pg);
    bool members_up = placed.size() == want;
    for (const auto& id : placed) {
      const DriveView* d = view->Find(id);
      members_up = members_up && d && d->info.state == DriveState::kUp;
    }
    PgSync sync = planner_ ? planner_->SyncOf(pg) : PgSync::kUnknown;
    bool recorded_everywhere = true;
    for (const auto& id : placed) {
      recorded_everywhere =
          recorded_everywhere && std::find(c.replicas.begin(), c.replicas.end(),
                                           id) != c.replicas.end();
    }
    bool chunk_full =
        members_up && (sync == PgSync::kSynced ||
                       (sync == PgSync::kUnknown && recorded_everywhere));
    full = full && chunk_full;
  }
  if (full && !f.chunks.empty()) return "full";
  if (f.chunks.empty()) return f.durability;
  return f.durability == "full" ? "geo" : f.durability;
}

absl::StatusOr<FileRecord> Coordinator::Stat(const std::string& account,
                                             const std::string& path) {
  DRIVE_ASSIGN_OR_RETURN(FileRecord f, ns_->Stat(account, path));
  f.durability = DurabilityNow(account, f);
  return f;
}

absl::StatusOr<FileListing> Coordinator::List(const std::string& account,
                                              const std::string& prefix,
                                              const std::string& cursor,
                                              size_t limit) {
  DRIVE_ASSIGN_OR_RETURN(FileListing l,
                         ns_->List(account, prefix, cursor, limit));
  for (auto& f : l.files) f.durability = DurabilityNow(account, f);
  return l;
}

absl::Status Coordinator::ReportBadReplica(const Caller& caller,
                                           const std::string& account,
                                           const ChunkId& id,
                                           const std::string& drive_id,
                                           const std::string& reason) {
  // A drive the registry has never heard of cannot hold a copy: refused
  // before the rate gate, so it neither starts a check nor uses up budget.
  auto view = registry_->View();
  if (view->Find(drive_id) == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("drive \"", absl::CHexEscape(drive_id.substr(0, 128)),
                     "\" is not in the cluster"));
  }
  // Rate-limited per account token, and per account for the daemons (the
  // gateway reports for every account with the cluster token): one
  // tenant's reads cannot use up another's budget.
  std::string key =
      caller.role == Role::kAccount
          ? "account/" + caller.account
          : absl::StrCat(caller.role == Role::kAdmin ? "admin" : "cluster", "/",
                         account);
  BadReportVerdict v = bad_report_handler_
                           ? bad_report_handler_(key, account, id, drive_id)
                           : BadReportVerdict::kCheck;
  if (v == BadReportVerdict::kRateLimited) {
    return absl::ResourceExhaustedError(
        "too many bad-copy reports; the copies already reported are being "
        "checked");
  }
  if (v == BadReportVerdict::kDuplicate) return absl::OkStatus();
  ++bad_reports_;
  if (planner_ && view->map) {
    planner_->MarkDirty(PgOf(account, id, view->map->pg_count()));
  }
  spdlog::warn(
      "event=bad_replica_reported account={} chunk={} drive={} reason=\"{}\" "
      "checked={}",
      account, id.ToHex(), absl::CHexEscape(drive_id.substr(0, 128)),
      // The reason is a client's free text: escaped (one line, no control
      // bytes) and cut, so a report cannot forge or flood log lines.
      absl::CHexEscape(reason.substr(0, 256)), v == BadReportVerdict::kCheck);
  return absl::OkStatus();
}

absl::StatusOr<PgListing> Coordinator::Pgs() const {
  auto view = registry_->View();
  if (!view->map) return absl::UnavailableError("no placement map yet");
  const PlacementMap& map = *view->map;
  std::vector<PgReport> reports;
  if (planner_) reports = planner_->Pgs();
  PgListing out;
  out.epoch = map.epoch();
  out.pgs.reserve(map.pg_count());
  for (uint32_t pg = 0; pg < map.pg_count(); ++pg) {
    PgStatus& st = out.pgs.emplace_back();
    st.pg = pg;
    st.drives = map.DrivesOf(pg);
    if (pg < reports.size()) st.report = reports[pg];
    st.health = ClassifyPg(*view, pg, st.report.sync);
  }
  return out;
}

PgHealth Coordinator::Health() const {
  PgHealth h;
  auto pgs = Pgs();
  if (!pgs.ok()) return h;
  for (const PgStatus& st : pgs->pgs) h.Add(st.health);
  return h;
}

}  // namespace drive::coordinator
