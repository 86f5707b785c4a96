// Anti-entropy sweeps; the outline is in repair_planner.h. Failure handling:
// - a drive whose digest call fails counts as unreachable for the sweep:
//   its PGs are reported as blocked, never treated as empty;
// - a listing failure skips that PG for this sweep (no partial view of a
//   PG ever produces deletes);
// - a failed pull is counted and retried by the next sweep, which plans
//   from the drives' state again.

#include "daemon/coordinator/repair_planner.h"

#include <algorithm>
#include <deque>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "spdlog/spdlog.h"

namespace drive::coordinator {
namespace {

// Backlog classes sort by this key: one-region first, then fewest copies.
int RiskOrder(bool one_region, size_t copies) {
  return one_region ? 0 : 1 + static_cast<int>(copies);
}

std::string RiskName(bool one_region, size_t copies) {
  return one_region ? "one-region" : absl::StrCat("copies-", copies);
}

// Upper bound on bytes per PullChunks call.
constexpr uint64_t kMaxBatchBytes = 32ull << 20;
// Ids per DeleteChunks call.
constexpr size_t kDeleteBatch = 1000;

}  // namespace

// One planned copy.
struct TaskRef {
  const DriveView* target = nullptr;
  uint32_t pg = 0;
  PullTask task;
  int risk_order = 0;
  std::string risk;
  int64_t oldest_verified = 0;
};

struct RepairPlanner::Batch {
  const DriveView* target = nullptr;
  std::vector<PullTask> tasks;
  std::vector<std::string> risks;  // backlog class per task
  std::vector<uint32_t> pgs;       // PG per task
  uint64_t bytes = 0;
};

struct RepairPlanner::Plan {
  std::shared_ptr<const ClusterView> view;
  std::vector<TaskRef> tasks;
  std::map<int, BacklogEntry> backlog;  // by RiskOrder
  std::map<int, std::set<uint32_t>> backlog_pgs;
  // Copies outside placement that are safe to delete: drive -> account -> ids.
  std::map<std::string, std::map<std::string, std::vector<ChunkId>>>
      stray_deletes;
  std::map<std::string, DrainProgress> drains;
  std::vector<PgMemo> memos;
  SweepSummary summary;

  void Count(int order, const std::string& risk, uint32_t pg, uint64_t chunks,
             uint64_t bytes, const std::string& blocked) {
    BacklogEntry& e = backlog[order];
    e.risk = risk;
    e.chunks += chunks;
    e.bytes += bytes;
    if (!blocked.empty() && e.blocked.empty()) e.blocked = blocked;
    backlog_pgs[order].insert(pg);
  }
};

RepairPlanner::RepairPlanner(NodeRegistry* registry, Namespace* ns,
                             NodeTransport* transport, Executor* executor,
                             Env* env, RepairOptions options)
    : registry_(registry),
      ns_(ns),
      transport_(transport),
      executor_(executor),
      env_(env),
      options_(options),
      loss_(ns, transport, options.list_page) {}

PgSync RepairPlanner::SyncOf(uint32_t pg) const {
  absl::MutexLock lock(&mu_);
  return pg < pgs_.size() ? pgs_[pg].sync : PgSync::kUnknown;
}

void RepairPlanner::MarkDirty(uint32_t pg) {
  absl::MutexLock lock(&mu_);
  if (pg < pgs_.size()) pgs_[pg] = PgMemo{PgSync::kNeedsWork, "", 0, 0};
  // A sweep in progress planned from older state: it must not mark this
  // PG in sync when it ends.
  dirtied_.insert(pg);
}

RepairStatusInfo RepairPlanner::Status() const {
  LossReport lost = loss_.Report();
  absl::MutexLock lock(&mu_);
  RepairStatusInfo out = status_;
  out.lost = std::move(lost);
  return out;
}

absl::StatusOr<SweepSummary> RepairPlanner::SweepAfterReports(
    absl::Duration report_timeout) {
  absl::Time asked = env_->Now();
  if (!registry_->AwaitReportsSince(asked, report_timeout)) {
    spdlog::warn("event=repair_wait_reports_late timeout_s={}",
                 absl::ToDoubleSeconds(report_timeout));
  }
  // Sweeps are serialized: one running now started before the reports,
  // so this call waits for it and then runs its own.
  return Sweep();
}

std::vector<PgReport> RepairPlanner::Pgs() const {
  absl::MutexLock lock(&mu_);
  std::vector<PgReport> out;
  for (uint32_t pg = 0; pg < pgs_.size(); ++pg) {
    out.push_back({pg, pgs_[pg].sync, pgs_[pg].missing, pgs_[pg].chunks});
  }
  return out;
}

std::vector<DrainProgress> RepairPlanner::Drains() const {
  absl::MutexLock lock(&mu_);
  return drains_;
}

// One PG's drives as this sweep's digests show them.
struct RepairPlanner::PgHolders {
  uint32_t pg = 0;
  size_t want = 0;                                    // copies per PG
  const std::vector<std::string>* members = nullptr;  // its placement
  const std::map<std::string, std::vector<PgDigestInfo>>* digests = nullptr;
  std::vector<const DriveView*> live_members;  // members with a digest
  std::vector<std::string> unreachable;        // members without one
  std::vector<const DriveView*> strays;   // other live drives with its chunks
  std::vector<const DriveView*> holders;  // live members, then strays
  bool complete = false;                  // six members, all reachable
  // The fullest copy set any live drive has, for counts without listing,
  // how many holders have exactly it, and the regions holding chunks.
  PgDigestInfo fullest;
  size_t fullest_copies = 0;
  std::set<std::string> regions;

  static PgHolders Of(
      uint32_t pg, const ClusterView& view,
      const std::map<std::string, std::vector<PgDigestInfo>>& digests);

  PgDigestInfo DigestOf(const std::string& id) const {
    auto it = digests->find(id);
    if (it == digests->end() || pg >= it->second.size()) return {};
    return it->second[pg];
  }
  bool IsMember(const std::string& id) const {
    return std::find(members->begin(), members->end(), id) != members->end();
  }
  // Six reachable members with equal digests and no stray copies.
  bool InSync() const {
    if (!complete || !strays.empty()) return false;
    for (const DriveView* d : live_members) {
      if (!(DigestOf(d->info.id) == DigestOf(live_members[0]->info.id)))
        return false;
    }
    return true;
  }
};

// One chunk of a PG and the live holders listing it.
struct RepairPlanner::SeenChunk {
  std::string account;
  ChunkId id;
  uint64_t size = 0;
  std::vector<const DriveView*> on;
};

RepairPlanner::PgHolders RepairPlanner::PgHolders::Of(
    uint32_t pg, const ClusterView& view,
    const std::map<std::string, std::vector<PgDigestInfo>>& digests) {
  const PlacementMap& map = *view.map;
  PgHolders h;
  h.pg = pg;
  h.want = map.regions().size() * map.replicas_per_region();
  h.members = &map.DrivesOf(pg);
  h.digests = &digests;
  for (const auto& id : *h.members) {
    const DriveView* d = view.Find(id);
    if (d != nullptr && digests.count(id)) {
      h.live_members.push_back(d);
    } else {
      h.unreachable.push_back(id);
    }
  }
  h.complete = h.members->size() == h.want && h.unreachable.empty();
  for (const auto& [id, ds] : digests) {
    if (h.IsMember(id)) continue;
    if (h.DigestOf(id).chunks > 0) h.strays.push_back(view.Find(id));
  }
  h.holders = h.live_members;
  h.holders.insert(h.holders.end(), h.strays.begin(), h.strays.end());
  for (const DriveView* d : h.holders) {
    PgDigestInfo di = h.DigestOf(d->info.id);
    if (di.chunks > 0) h.regions.insert(d->info.region);
    if (di.chunks > h.fullest.chunks) h.fullest = di;
  }
  for (const DriveView* d : h.holders) {
    if (h.fullest.chunks > 0 && h.DigestOf(d->info.id) == h.fullest)
      ++h.fullest_copies;
  }
  return h;
}

absl::Status RepairPlanner::PlanPg(
    uint32_t pg, const ClusterView& view,
    const std::map<std::string, std::vector<PgDigestInfo>>& digests,
    Plan* plan) {
  const PgHolders h = PgHolders::Of(pg, view, digests);
  PgMemo& memo = plan->memos[pg];
  memo.chunks = h.fullest.chunks;
  if (!h.unreachable.empty() || h.members->size() < h.want) {
    CountBlocked(h, *view.map, plan);
  }
  if (h.InSync()) {
    memo.sync = PgSync::kSynced;
    memo.missing = 0;
    memo.fingerprint.clear();  // a later state is judged afresh
    return absl::OkStatus();
  }
  std::string fingerprint = Fingerprint(h);
  if (!memo.fingerprint.empty() && memo.fingerprint == fingerprint) {
    return absl::OkStatus();
  }

  DRIVE_ASSIGN_OR_RETURN(auto chunks, ListHolders(h));
  ++plan->summary.pgs_listed;
  uint64_t missing_total = 0;
  size_t tasks_before = plan->tasks.size();
  size_t deletes_planned = 0;
  for (const auto& [key, s] : chunks) {
    DRIVE_ASSIGN_OR_RETURN(RefState refs, ns_->Refs(s.account, s.id));
    if (refs.count == 0) continue;  // garbage collection decides about it
    size_t missing = PlanCopies(h, s, plan);
    missing_total += missing;
    deletes_planned += PlanStrayCopies(h, s, missing == 0 && h.complete, plan);
  }
  memo.missing = missing_total;
  memo.chunks = chunks.size();
  memo.complete = h.complete;
  memo.sync =
      h.complete && missing_total == 0 ? PgSync::kSynced : PgSync::kNeedsWork;
  bool nothing_to_do =
      plan->tasks.size() == tasks_before && deletes_planned == 0;
  memo.fingerprint = nothing_to_do ? fingerprint : "";
  return absl::OkStatus();
}

// Copies due on drives that cannot be reached cannot be made now; say so.
void RepairPlanner::CountBlocked(const PgHolders& h, const PlacementMap& map,
                                 Plan* plan) {
  std::string blocked;
  for (const auto& region : map.regions()) {
    bool any = false;
    for (const DriveView* d : h.live_members) any |= d->info.region == region;
    if (!any) {
      blocked = "no up drive of this PG in region " + region;
      break;
    }
  }
  if (blocked.empty() && !h.unreachable.empty()) {
    blocked = "waiting for " + absl::StrJoin(h.unreachable, ", ");
  }
  if (blocked.empty()) blocked = "too few hosts for six copies";
  if (h.fullest.chunks > 0) {
    bool one_region = h.regions.size() < 2;
    plan->Count(RiskOrder(one_region, h.fullest_copies),
                RiskName(one_region, h.fullest_copies), h.pg, h.fullest.chunks,
                h.fullest.bytes, blocked);
    plan->summary.blocked_copies +=
        h.fullest.chunks * (h.want - h.live_members.size());
  }
}

// Nothing changed since a sweep found nothing to copy or delete here
// (e.g. unreferenced chunks of an upload in progress differ): neither
// what the drives hold nor which chunks are referenced. Without the
// references, digests that return to an old state (the chunk committed
// since, then a drive wiped) would skip a PG that now lacks copies.
std::string RepairPlanner::Fingerprint(const PgHolders& h) {
  std::string referenced = loss_.ReferencedFingerprint(h.pg);
  if (referenced.empty()) return "";
  std::string fingerprint =
      absl::StrCat(h.complete ? "c" : "i", "|", referenced);
  for (const DriveView* d : h.holders) {
    PgDigestInfo di = h.DigestOf(d->info.id);
    absl::StrAppend(&fingerprint, "|", d->info.id, ":", di.chunks, ":",
                    di.hash);
  }
  return fingerprint;
}

// Lists the PG on every live holder that has chunks of it.
absl::StatusOr<std::map<std::string, RepairPlanner::SeenChunk>>
RepairPlanner::ListHolders(const PgHolders& h) {
  std::map<std::string, SeenChunk> chunks;  // account \0 id
  for (const DriveView* d : h.holders) {
    if (h.DigestOf(d->info.id).chunks == 0) continue;
    std::string cursor;
    do {
      DRIVE_ASSIGN_OR_RETURN(
          PgChunkPage page,
          transport_->ListPg(*d, h.pg, cursor, options_.list_page));
      for (auto& c : page.chunks) {
        std::string key = c.account;
        key.push_back('\0');
        key.append(c.id.bytes());
        SeenChunk& s = chunks[key];
        s.account = c.account;
        s.id = c.id;
        s.size = c.raw_length;
        s.on.push_back(d);
      }
      cursor = std::move(page.next);
    } while (!cursor.empty());
  }
  return chunks;
}

size_t RepairPlanner::PlanCopies(const PgHolders& h, const SeenChunk& s,
                                 Plan* plan) {
  std::set<std::string> on_regions;
  int64_t oldest = INT64_MAX;
  for (const DriveView* d : s.on) {
    on_regions.insert(d->info.region);
    oldest = std::min(oldest, d->scrub.oldest_verified_unix_s);
  }
  bool one_region = on_regions.size() < 2;
  std::vector<const DriveView*> missing;
  for (const DriveView* m : h.live_members) {
    if (std::find(s.on.begin(), s.on.end(), m) == s.on.end())
      missing.push_back(m);
  }
  for (const DriveView* target : missing) {
    TaskRef t;
    t.target = target;
    t.pg = h.pg;
    t.task.account = s.account;
    t.task.id = s.id;
    t.task.size = s.size;
    for (const DriveView* d : OrderSources(h, s, *target))
      t.task.sources.push_back({d->address, d->name, d->info.id});
    t.risk_order = RiskOrder(one_region, s.on.size());
    t.risk = RiskName(one_region, s.on.size());
    t.oldest_verified = oldest;
    plan->Count(t.risk_order, t.risk, h.pg, 1, s.size, "");
    plan->tasks.push_back(std::move(t));
  }
  return missing.size();
}

// Sources: the target's region first, placed drives before strays.
std::vector<const DriveView*> RepairPlanner::OrderSources(
    const PgHolders& h, const SeenChunk& s, const DriveView& target) {
  std::vector<const DriveView*> src = s.on;
  auto rank = [&](const DriveView* d) {
    return (d->info.region == target.info.region ? 0 : 2) +
           (h.IsMember(d->info.id) ? 0 : 1);
  };
  std::stable_sort(src.begin(), src.end(),
                   [&](const DriveView* a, const DriveView* b) {
                     return rank(a) < rank(b);
                   });
  // Spread reads over equally good sources.
  size_t best = 0;
  while (best < src.size() && rank(src[best]) == rank(src[0])) ++best;
  if (best > 1) {
    std::rotate(src.begin(),
                src.begin() + static_cast<uint8_t>(s.id.bytes()[0]) % best,
                src.begin() + best);
  }
  return src;
}

size_t RepairPlanner::PlanStrayCopies(const PgHolders& h, const SeenChunk& s,
                                      bool all_placed, Plan* plan) {
  size_t deletes = 0;
  for (const DriveView* d : s.on) {
    if (h.IsMember(d->info.id)) continue;
    if (all_placed) {
      plan->stray_deletes[d->info.id][s.account].push_back(s.id);
      ++deletes;
    } else if (d->draining) {
      DrainProgress& dp = plan->drains[d->info.id];
      dp.chunks_left += 1;
      dp.bytes_left += s.size;
    }
  }
  return deletes;
}

std::set<uint32_t> RepairPlanner::RunBatches(std::vector<Batch> batches,
                                             SweepSummary* summary) {
  if (batches.empty()) return {};
  struct Shared {
    absl::Mutex mu;
    std::deque<Batch> queue ABSL_GUARDED_BY(mu);
    std::map<std::string, int> in_flight ABSL_GUARDED_BY(mu);
    int workers ABSL_GUARDED_BY(mu) = 0;
    uint64_t made ABSL_GUARDED_BY(mu) = 0;
    uint64_t failed ABSL_GUARDED_BY(mu) = 0;
    std::set<uint32_t> failed_pgs ABSL_GUARDED_BY(mu);
  };
  auto shared = std::make_shared<Shared>();
  int n = std::min<int>(std::max(1, options_.max_pulls),
                        static_cast<int>(batches.size()));
  {
    absl::MutexLock lock(&shared->mu);
    for (auto& b : batches) shared->queue.push_back(std::move(b));
    shared->workers = n;
  }
  absl::Time start = env_->Now();
  auto worker = [this, shared] {
    while (true) {
      Batch b;
      {
        absl::MutexLock lock(&shared->mu);
        auto pick = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(shared->mu) {
          for (auto it = shared->queue.begin(); it != shared->queue.end();
               ++it) {
            if (shared->in_flight[it->target->info.id] <
                options_.pulls_per_drive)
              return it;
          }
          return shared->queue.end();
        };
        auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(shared->mu) {
          return shared->queue.empty() || pick() != shared->queue.end();
        };
        shared->mu.Await(absl::Condition(&ready));
        if (stopping_) shared->queue.clear();
        if (shared->queue.empty()) {
          --shared->workers;
          return;
        }
        auto it = pick();
        b = std::move(*it);
        shared->queue.erase(it);
        ++shared->in_flight[b.target->info.id];
      }
      auto outcome = transport_->Pull(*b.target, b.tasks);
      uint64_t made = 0, failed = 0, bytes = 0;
      std::set<uint32_t> failed_pgs;
      {
        absl::MutexLock lock(&mu_);
        for (size_t i = 0; i < b.tasks.size(); ++i) {
          absl::Status s =
              outcome.ok() && i < outcome->results.size()
                  ? outcome->results[i]
                  : (outcome.ok() ? absl::InternalError("no result")
                                  : outcome.status());
          if (s.ok()) {
            ++made;
            bytes += b.tasks[i].size;
            for (auto& e : status_.backlog) {
              if (e.risk == b.risks[i] && e.chunks > 0) {
                --e.chunks;
                e.bytes -= std::min(e.bytes, b.tasks[i].size);
                break;
              }
            }
          } else {
            ++failed;
            failed_pgs.insert(b.pgs[i]);
            spdlog::warn(
                "event=repair_copy_failed target={} account={} chunk={} "
                "error=\"{}\"",
                b.target->info.id, b.tasks[i].account, b.tasks[i].id.ToHex(),
                s.ToString());
          }
        }
        status_.copied_chunks += made;
        status_.copied_bytes += bytes;
        status_.failed_copies += failed;
      }
      absl::MutexLock lock(&shared->mu);
      --shared->in_flight[b.target->info.id];
      shared->made += made;
      shared->failed += failed;
      shared->failed_pgs.insert(failed_pgs.begin(), failed_pgs.end());
    }
  };
  for (int i = 0; i < n; ++i) executor_->Schedule(worker);
  absl::MutexLock lock(&shared->mu);
  auto done = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(shared->mu) {
    return shared->workers == 0;
  };
  shared->mu.Await(absl::Condition(&done));
  summary->copies_made += shared->made;
  summary->copies_failed += shared->failed;
  double secs = absl::ToDoubleSeconds(env_->Now() - start);
  spdlog::info("event=repair_copies_done made={} failed={} seconds={:.1f}",
               shared->made, shared->failed, secs);
  return shared->failed_pgs;
}

uint64_t RepairPlanner::RemoveStrays(const Plan& plan) {
  uint64_t removed = 0;
  for (const auto& [drive_id, by_account] : plan.stray_deletes) {
    const DriveView* d = plan.view->Find(drive_id);
    if (d == nullptr) continue;
    for (const auto& [account, ids] : by_account) {
      for (size_t i = 0; i < ids.size(); i += kDeleteBatch) {
        std::vector<ChunkId> part(
            ids.begin() + i,
            ids.begin() + std::min(ids.size(), i + kDeleteBatch));
        auto n = transport_->Delete(*d, account, part, 0);
        if (n.ok()) {
          removed += *n;
        } else {
          spdlog::warn("event=stray_delete_failed drive={} error=\"{}\"",
                       drive_id, n.status().ToString());
        }
      }
    }
  }
  return removed;
}

std::vector<RepairPlanner::Batch> RepairPlanner::MakeBatches(Plan* plan) const {
  // Riskiest first, then the oldest verification.
  std::stable_sort(plan->tasks.begin(), plan->tasks.end(),
                   [](const TaskRef& a, const TaskRef& b) {
                     if (a.risk_order != b.risk_order)
                       return a.risk_order < b.risk_order;
                     return a.oldest_verified < b.oldest_verified;
                   });
  std::vector<Batch> batches;
  std::map<std::string, size_t> open;  // target -> index of its open batch
  for (auto& t : plan->tasks) {
    auto it = open.find(t.target->info.id);
    if (it == open.end() ||
        batches[it->second].tasks.size() >=
            static_cast<size_t>(options_.tasks_per_pull) ||
        batches[it->second].bytes + t.task.size > kMaxBatchBytes) {
      batches.push_back(Batch{t.target, {}, {}, {}, 0});
      open[t.target->info.id] = batches.size() - 1;
      it = open.find(t.target->info.id);
    }
    Batch& b = batches[it->second];
    b.bytes += t.task.size;
    b.risks.push_back(t.risk);
    b.pgs.push_back(t.pg);
    b.tasks.push_back(std::move(t.task));
  }
  return batches;
}

absl::StatusOr<SweepSummary> RepairPlanner::Sweep() {
  absl::MutexLock sweep(&sweep_mu_);
  if (stopping_) return absl::CancelledError("the coordinator is stopping");
  Plan plan;
  plan.view = registry_->View();
  const ClusterView& view = *plan.view;
  if (!view.map) return absl::FailedPreconditionError("no placement map yet");
  const uint32_t pg_count = view.map->pg_count();
  {
    absl::MutexLock lock(&mu_);
    if (pgs_.size() != pg_count) pgs_.assign(pg_count, PgMemo{});
    plan.memos = pgs_;
    dirtied_.clear();
    status_.running = true;
  }
  // 7. The referenced set, before any drive is asked what it holds.
  if (absl::Status s = loss_.Begin(pg_count); !s.ok()) {
    spdlog::warn("event=loss_check_skipped error=\"{}\"", s.ToString());
  }
  // 1. Digests of every live drive; a failed call makes it unreachable.
  std::map<std::string, std::vector<PgDigestInfo>> digests;
  for (const auto& d : view.drives) {
    if (!d.alive) continue;
    auto ds = transport_->Digests(d);
    if (!ds.ok()) {
      spdlog::warn("event=digest_failed drive={} error=\"{}\"", d.info.id,
                   ds.status().ToString());
      continue;
    }
    std::vector<PgDigestInfo> by_pg(pg_count);
    for (auto& di : *ds) {
      if (di.pg < pg_count) by_pg[di.pg] = std::move(di);
    }
    digests[d.info.id] = std::move(by_pg);
  }
  // 2-3. Plan every PG.
  for (uint32_t pg = 0; pg < pg_count; ++pg) {
    absl::Status s = PlanPg(pg, view, digests, &plan);
    if (!s.ok()) {
      plan.memos[pg].fingerprint.clear();
      ++plan.summary.pgs_unchecked;
      spdlog::warn("event=pg_plan_failed pg={} error=\"{}\"", pg, s.ToString());
    }
    loss_.CheckPg(pg, view, digests);
  }
  if (absl::Status s = loss_.Finish(); !s.ok()) {
    spdlog::warn("event=loss_check_failed error=\"{}\"", s.ToString());
  }
  LossReport lost = loss_.Report();
  plan.summary.lost_chunks = lost.chunks;
  plan.summary.pgs_unchecked += lost.pgs_unchecked;
  plan.summary.pgs_blocked = lost.pgs_blocked;
  plan.summary.pgs_checked = pg_count;
  plan.summary.copies_planned = plan.tasks.size();

  // 4. Riskiest first, then the oldest verification.
  std::vector<Batch> batches = MakeBatches(&plan);
  {
    absl::MutexLock lock(&mu_);
    status_.backlog.clear();
    for (auto& [order, e] : plan.backlog) {
      e.pgs = plan.backlog_pgs[order].size();
      status_.backlog.push_back(e);
    }
  }
  absl::Time copy_start = env_->Now();
  uint64_t copied_before;
  {
    absl::MutexLock lock(&mu_);
    copied_before = status_.copied_bytes;
  }
  std::set<uint32_t> failed_pgs = RunBatches(std::move(batches), &plan.summary);
  // A complete PG whose planned copies all landed is in sync now.
  for (uint32_t pg = 0; pg < pg_count; ++pg) {
    PgMemo& m = plan.memos[pg];
    if (m.sync == PgSync::kNeedsWork && m.complete && !failed_pgs.count(pg)) {
      m.sync = PgSync::kSynced;
      m.missing = 0;
    }
  }

  // 5. Extra copies go only where all six members hold the chunk.
  plan.summary.strays_removed = RemoveStrays(plan);

  // 6. Drains whose data is all in place end.
  std::vector<DrainProgress> drains;
  for (const auto& d : view.drives) {
    if (!d.draining) continue;
    DrainProgress dp =
        plan.drains.count(d.info.id) ? plan.drains[d.info.id] : DrainProgress{};
    dp.drive_id = d.info.id;
    dp.done = d.alive && digests.count(d.info.id) && dp.chunks_left == 0;
    if (dp.done) {
      auto epoch = registry_->FinishDrain(d.info.id);
      spdlog::info("event=drain_done drive={} epoch={} status=\"{}\"",
                   d.info.id, epoch.ok() ? *epoch : 0,
                   epoch.status().ToString());
    }
    drains.push_back(dp);
  }

  absl::MutexLock lock(&mu_);
  pgs_ = std::move(plan.memos);
  for (uint32_t pg : dirtied_) {
    if (pg < pgs_.size()) pgs_[pg] = PgMemo{PgSync::kNeedsWork, "", 0, 0};
  }
  drains_ = std::move(drains);
  status_.running = false;
  status_.last_sweep_ms = absl::ToUnixMillis(env_->Now());
  status_.pgs_checked = pg_count;
  status_.strays_removed += plan.summary.strays_removed;
  double secs = absl::ToDoubleSeconds(env_->Now() - copy_start);
  uint64_t copied = status_.copied_bytes - copied_before;
  if (secs > 0.5 && copied > 0) status_.rate_bytes_per_s = copied / secs;
  uint64_t left = 0;
  for (const auto& e : status_.backlog) left += e.bytes;
  status_.eta_s = left == 0 ? 0
                  : status_.rate_bytes_per_s > 0
                      ? left / status_.rate_bytes_per_s
                      : -1;
  spdlog::info(
      "event=repair_sweep pgs={} listed={} planned={} made={} failed={} "
      "strays_removed={} blocked={} unchecked={} lost={}",
      plan.summary.pgs_checked, plan.summary.pgs_listed,
      plan.summary.copies_planned, plan.summary.copies_made,
      plan.summary.copies_failed, plan.summary.strays_removed,
      plan.summary.blocked_copies, plan.summary.pgs_unchecked,
      plan.summary.lost_chunks);
  return plan.summary;
}

}  // namespace drive::coordinator
