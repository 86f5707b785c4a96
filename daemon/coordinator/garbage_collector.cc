// Garbage collection; the outline is in garbage_collector.h. Failure
// handling: a drive whose digests cannot be read makes the run skip
// completing any tombstone (a copy may sit there); a failed delete leaves
// the tombstone pending, and the next run deletes again.

#include "daemon/coordinator/garbage_collector.h"

#include <map>
#include <set>

#include "common/status_macros.h"
#include "spdlog/spdlog.h"

namespace drive::coordinator {
namespace {

using ChunkKey = std::pair<std::string, ChunkId>;  // account, id

}  // namespace

GarbageCollector::GarbageCollector(NodeRegistry* registry, Namespace* ns,
                                   NodeTransport* transport, Env* env,
                                   GcOptions options)
    : registry_(registry),
      ns_(ns),
      transport_(transport),
      env_(env),
      options_(options) {}

GcReportInfo GarbageCollector::last() const {
  absl::MutexLock lock(&mu_);
  return last_;
}

absl::StatusOr<GcReportInfo> GarbageCollector::Run(bool dry_run) {
  absl::MutexLock run(&run_mu_);
  GcReportInfo report;
  report.dry_run = dry_run;
  int64_t now_ms = absl::ToUnixMillis(env_->Now());
  int64_t grace_ms = absl::ToInt64Milliseconds(options_.grace);
  report.unix_ms = now_ms;

  // 1. Trash.
  DRIVE_ASSIGN_OR_RETURN(report.trash_expired,
                         ns_->ExpireTrash(now_ms, dry_run));

  auto view = registry_->View();
  if (!view->map) return absl::FailedPreconditionError("no placement map yet");
  const uint32_t pg_count = view->map->pg_count();
  // Which PGs each live drive holds chunks of.
  std::map<std::string, std::set<uint32_t>> pgs_of;
  bool every_live_drive_listed = true;
  for (const auto& d : view->drives) {
    if (!d.alive) continue;
    auto ds = transport_->Digests(d);
    if (!ds.ok()) {
      every_live_drive_listed = false;
      spdlog::warn("event=gc_digest_failed drive={} error=\"{}\"", d.info.id,
                   ds.status().ToString());
      continue;
    }
    for (const auto& di : *ds) {
      if (di.chunks > 0) pgs_of[d.info.id].insert(di.pg);
    }
  }
  // Condemned chunks from earlier runs whose deletion is still pending.
  std::set<ChunkKey> pending;
  DRIVE_ASSIGN_OR_RETURN(auto tombstones, ns_->ListTombstones());
  std::map<ChunkKey, int64_t> condemned_at;
  for (const auto& t : tombstones) {
    if (t.tombstone.completed_ms == 0) {
      pending.insert({t.account, t.id});
      condemned_at[{t.account, t.id}] = t.tombstone.condemned_ms;
    }
  }
  std::vector<ChunkKey> completed;
  std::map<ChunkKey, uint64_t> sizes;

  for (uint32_t pg = 0; pg < pg_count; ++pg) {
    // 2. Everything the live drives hold of this PG.
    struct Seen {
      uint64_t size = 0;
      int64_t newest_stored_s = 0;
      std::vector<const DriveView*> on;
    };
    std::map<ChunkKey, Seen> seen;
    bool listed = true;
    for (const auto& d : view->drives) {
      auto it = pgs_of.find(d.info.id);
      if (it == pgs_of.end() || !it->second.count(pg)) continue;
      std::string cursor;
      do {
        auto page = transport_->ListPg(d, pg, cursor, options_.list_page);
        if (!page.ok()) {
          listed = false;
          break;
        }
        for (const auto& c : page->chunks) {
          Seen& s = seen[{c.account, c.id}];
          s.size = c.raw_length;
          s.newest_stored_s = std::max(s.newest_stored_s, c.stored_at_unix_s);
          s.on.push_back(&d);
        }
        cursor = page->next;
      } while (!cursor.empty());
    }
    if (!listed) every_live_drive_listed = false;
    std::vector<ChunkKey> candidates;
    for (const auto& [key, s] : seen) {
      if (pending.count(key)) continue;
      DRIVE_ASSIGN_OR_RETURN(RefState refs, ns_->Refs(key.first, key.second));
      if (refs.count > 0) continue;
      int64_t unused_since_ms =
          refs.known ? refs.zero_since_ms : s.newest_stored_s * 1000;
      if (unused_since_ms > now_ms - grace_ms) continue;
      candidates.push_back(key);
    }
    if (dry_run) {
      for (const auto& key : candidates) {
        ++report.chunks;
        report.bytes += seen[key].size;
      }
      continue;
    }
    // 3. Condemn (skips chunks committed since they were listed).
    DRIVE_ASSIGN_OR_RETURN(auto condemned, ns_->Condemn(candidates, now_ms));
    for (const auto& key : condemned) condemned_at[key] = now_ms;
    std::vector<ChunkKey> to_delete = condemned;
    for (const auto& [key, s] : seen) {
      if (pending.count(key)) to_delete.push_back(key);
    }
    // 4. Delete every listed copy stored before its condemnation.
    for (const auto& key : to_delete) {
      const Seen& s = seen[key];
      bool ok = listed;
      int64_t before_s = condemned_at[key] / 1000;
      for (const DriveView* d : s.on) {
        auto n = transport_->Delete(*d, key.first, {key.second}, before_s);
        if (!n.ok()) {
          ok = false;
          spdlog::warn("event=gc_delete_failed drive={} chunk={} error=\"{}\"",
                       d->info.id, key.second.ToHex(), n.status().ToString());
        }
      }
      if (ok) completed.push_back(key);
      sizes[key] = s.size;
    }
  }
  if (!dry_run) {
    // Pending chunks no live drive listed are gone from every live drive.
    std::set<ChunkKey> done(completed.begin(), completed.end());
    for (const auto& key : pending) {
      if (!done.count(key) && every_live_drive_listed) completed.push_back(key);
    }
    // 5. Only when every live drive was seen may a deletion be complete.
    if (every_live_drive_listed) {
      DRIVE_RETURN_IF_ERROR(
          ns_->CompleteTombstones(completed, absl::ToUnixMillis(env_->Now())));
      for (const auto& key : completed) {
        ++report.chunks;
        report.bytes += sizes[key];
      }
    }
    DRIVE_ASSIGN_OR_RETURN(auto tombs_after, ns_->ListTombstones());
    for (const auto& t : tombs_after) {
      if (t.tombstone.completed_ms == 0) ++report.pending;
    }
    // 6.
    DRIVE_RETURN_IF_ERROR(
        ns_->EraseTombstones(
               now_ms - absl::ToInt64Milliseconds(options_.tombstone_retention))
            .status());
  }
  spdlog::info(
      "event=gc_done dry_run={} trash_expired={} chunks={} bytes={} "
      "pending={}",
      dry_run, report.trash_expired, report.chunks, report.bytes,
      report.pending);
  absl::MutexLock lock(&mu_);
  last_ = report;
  return report;
}

}  // namespace drive::coordinator
