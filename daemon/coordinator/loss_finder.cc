// Lost-chunk checks; the outline is in loss_finder.h. Failure handling:
// a failed reference scan skips the whole check and a failed listing skips
// its PG; either way the earlier findings stand, so a flaky drive never
// makes lost chunks disappear from the report, and nothing is reported
// lost from a partial view.

#include "daemon/coordinator/loss_finder.h"

#include "absl/strings/str_cat.h"
#include "common/placement_group.h"
#include "spdlog/spdlog.h"

namespace drive::coordinator {

absl::Status LossFinder::Begin(uint32_t pg_count) {
  began_ = false;
  listed_.clear();
  unchecked_.clear();
  blocked_ = 0;
  if (pgs_.size() != pg_count) {
    pgs_.assign(pg_count, PgState{});
    refs_generation_ = UINT64_MAX;
  }
  // Read before the scan: a write landing during it changes the count, so
  // the next check scans again.
  uint64_t generation = ns_->refs_generation();
  if (generation != refs_generation_) {
    std::vector<PgDigest> by_pg(pg_count);
    absl::Status s =
        ns_->ScanReferenced([&](const std::string& account, const ChunkId& id) {
          by_pg[PgOf(account, id, pg_count)].Add(account, id, 0);
          return true;
        });
    if (!s.ok()) return s;
    refs_by_pg_ = std::move(by_pg);
    refs_generation_ = generation;
  }
  began_ = true;
  return absl::OkStatus();
}

void LossFinder::CheckPg(
    uint32_t pg, const ClusterView& view,
    const std::map<std::string, std::vector<PgDigestInfo>>& digests) {
  if (!began_ || pg >= refs_by_pg_.size()) return;
  const PgDigest& refs = refs_by_pg_[pg];
  if (refs.chunks == 0) {
    pgs_[pg] = PgState{};
    return;
  }
  // A copy may sit on a member that did not answer: no finding either way.
  for (const auto& id : view.map->DrivesOf(pg)) {
    if (!digests.count(id)) {
      ++blocked_;
      return;
    }
  }
  std::string refs_hash(refs.hash_bytes());
  std::string fingerprint = ReferencedFingerprint(pg);
  std::vector<const DriveView*> holders;
  for (const auto& [id, by_pg] : digests) {
    if (pg >= by_pg.size() || by_pg[pg].chunks == 0) continue;
    const PgDigestInfo& d = by_pg[pg];
    if (d.chunks == refs.chunks && d.hash == refs_hash) {
      pgs_[pg] = PgState{};  // this drive holds exactly the referenced set
      return;
    }
    const DriveView* drive = view.Find(id);
    if (drive == nullptr) continue;
    holders.push_back(drive);
    absl::StrAppend(&fingerprint, "|", id, ":", d.chunks, ":", d.hash);
  }
  if (pgs_[pg].fingerprint == fingerprint) return;  // as last checked
  Listed listed;
  listed.fingerprint = std::move(fingerprint);
  for (const DriveView* d : holders) {
    std::string cursor;
    do {
      auto page = transport_->ListPg(*d, pg, cursor, list_page_);
      if (!page.ok()) {
        spdlog::warn("event=loss_check_list_failed pg={} drive={} error=\"{}\"",
                     pg, d->info.id, page.status().ToString());
        unchecked_.insert(pg);
        pgs_[pg].fingerprint.clear();
        return;
      }
      for (auto& c : page->chunks) listed.held.insert({c.account, c.id});
      cursor = std::move(page->next);
    } while (!cursor.empty());
  }
  listed_[pg] = std::move(listed);
}

absl::Status LossFinder::Finish() {
  absl::Status result;
  if (!began_) {
    for (uint32_t pg = 0; pg < pgs_.size(); ++pg) unchecked_.insert(pg);
  } else if (!listed_.empty()) {
    // Step 3: what the listed PGs reference now, and what no drive listed.
    const uint32_t pg_count = static_cast<uint32_t>(pgs_.size());
    std::map<uint32_t, PgDigest> again;
    std::map<uint32_t, std::vector<Key>> missing;
    result =
        ns_->ScanReferenced([&](const std::string& account, const ChunkId& id) {
          uint32_t pg = PgOf(account, id, pg_count);
          auto it = listed_.find(pg);
          if (it == listed_.end()) return true;
          again[pg].Add(account, id, 0);
          if (!it->second.held.count({account, id})) {
            missing[pg].push_back({account, id});
          }
          return true;
        });
    for (auto& [pg, listed] : listed_) {
      if (result.ok() && again[pg] == refs_by_pg_[pg]) {
        pgs_[pg] =
            PgState{std::move(listed.fingerprint), std::move(missing[pg])};
      } else {
        unchecked_.insert(pg);
        pgs_[pg].fingerprint.clear();
      }
    }
  }
  // Step 4, and publish.
  std::set<Key> lost;
  for (const auto& p : pgs_) lost.insert(p.lost.begin(), p.lost.end());
  LossReport report;
  report.chunks = lost.size();
  report.pgs_unchecked = static_cast<uint32_t>(unchecked_.size());
  report.pgs_blocked = blocked_;
  bool same;
  {
    absl::MutexLock lock(&mu_);
    same = lost == lost_ && files_generation_ == ns_->refs_generation();
    if (same) {
      report.files = report_.files;
      report.files_total = report_.files_total;
    }
  }
  if (!same && !lost.empty()) {
    uint64_t generation = ns_->refs_generation();
    auto files =
        ns_->FilesUsing(lost, LossReport::kMaxFilesListed, &report.files_total);
    if (files.ok()) {
      report.files = std::move(*files);
    } else if (result.ok()) {
      result = files.status();
    }
    files_generation_ = files.ok() ? generation : UINT64_MAX;
  }
  if (!lost.empty() && !same) {
    spdlog::error(
        "event=chunks_lost chunks={} files={} first_file=\"{}\" "
        "detail=\"referenced chunks that no drive holds\"",
        report.chunks, report.files_total,
        report.files.empty() ? "" : report.files[0]);
  }
  absl::MutexLock lock(&mu_);
  lost_ = std::move(lost);
  report_ = std::move(report);
  return result;
}

std::string LossFinder::ReferencedFingerprint(uint32_t pg) const {
  if (!began_ || pg >= refs_by_pg_.size()) return "";
  const PgDigest& refs = refs_by_pg_[pg];
  return absl::StrCat(refs.chunks, ":", std::string(refs.hash_bytes()));
}

bool LossFinder::IsLost(const std::string& account, const ChunkId& id) const {
  absl::MutexLock lock(&mu_);
  return !lost_.empty() && lost_.count({account, id}) > 0;
}

LossReport LossFinder::Report() const {
  absl::MutexLock lock(&mu_);
  return report_;
}

}  // namespace drive::coordinator
