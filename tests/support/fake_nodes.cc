#include "tests/support/fake_nodes.h"

#include "common/pg_digest.h"
#include "common/placement_group.h"

namespace drive::testing {

using coordinator::DriveView;

void FakeNodes::PutChunk(const std::string& drive, const std::string& account,
                         const ChunkId& id, uint64_t size,
                         int64_t stored_at_s) {
  absl::MutexLock lock(&mu_);
  drives_[drive][{account, id}] = Copy{size, stored_at_s};
}

void FakeNodes::RemoveChunk(const std::string& drive,
                            const std::string& account, const ChunkId& id) {
  absl::MutexLock lock(&mu_);
  drives_[drive].erase({account, id});
}

void FakeNodes::SetUnreachable(const std::string& drive, bool unreachable) {
  absl::MutexLock lock(&mu_);
  if (unreachable) {
    unreachable_.insert(drive);
  } else {
    unreachable_.erase(drive);
  }
}

void FakeNodes::OnDelete(
    std::function<void(const std::string&, const std::string&, const ChunkId&)>
        hook) {
  on_delete_ = std::move(hook);
}

bool FakeNodes::Has(const std::string& drive, const std::string& account,
                    const ChunkId& id) const {
  absl::MutexLock lock(&mu_);
  auto it = drives_.find(drive);
  return it != drives_.end() && it->second.count({account, id}) > 0;
}

std::set<std::string> FakeNodes::HoldersOf(const std::string& account,
                                           const ChunkId& id) const {
  absl::MutexLock lock(&mu_);
  std::set<std::string> out;
  for (const auto& [drive, chunks] : drives_) {
    if (chunks.count({account, id})) out.insert(drive);
  }
  return out;
}

uint64_t FakeNodes::ChunksOn(const std::string& drive) const {
  absl::MutexLock lock(&mu_);
  auto it = drives_.find(drive);
  return it == drives_.end() ? 0 : it->second.size();
}

std::vector<ChunkId> FakeNodes::pull_order() const {
  absl::MutexLock lock(&mu_);
  return pulls_;
}

int FakeNodes::deletes() const {
  absl::MutexLock lock(&mu_);
  return deletes_;
}

absl::Status FakeNodes::Reach(const std::string& drive) const {
  if (unreachable_.count(drive)) {
    return absl::UnavailableError(drive + " is unreachable");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<coordinator::PgDigestInfo>> FakeNodes::Digests(
    const DriveView& drive) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Reach(drive.info.id); !s.ok()) return s;
  std::map<uint32_t, PgDigest> by_pg;
  for (const auto& [key, copy] : drives_[drive.info.id]) {
    by_pg[PgOf(key.first, key.second, pg_count_)].Add(key.first, key.second,
                                                      copy.size);
  }
  std::vector<coordinator::PgDigestInfo> out;
  for (const auto& [pg, d] : by_pg) {
    out.push_back({pg, d.chunks, d.bytes, std::string(d.hash_bytes())});
  }
  return out;
}

absl::StatusOr<coordinator::PgChunkPage> FakeNodes::ListPg(
    const DriveView& drive, uint32_t pg, const std::string& cursor,
    uint32_t limit) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Reach(drive.info.id); !s.ok()) return s;
  coordinator::PgChunkPage page;
  int skip = cursor.empty() ? 0 : std::stoi(cursor);
  int index = 0;
  for (const auto& [key, copy] : drives_[drive.info.id]) {
    if (PgOf(key.first, key.second, pg_count_) != pg) continue;
    if (index++ < skip) continue;
    if (page.chunks.size() == limit) {
      page.next = std::to_string(skip + static_cast<int>(limit));
      break;
    }
    page.chunks.push_back({key.first, key.second, copy.size, copy.stored_at_s});
  }
  return page;
}

absl::StatusOr<coordinator::PullOutcome> FakeNodes::Pull(
    const DriveView& target, const std::vector<coordinator::PullTask>& tasks) {
  if (on_pull_) on_pull_();
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Reach(target.info.id); !s.ok()) return s;
  coordinator::PullOutcome out;
  for (const auto& t : tasks) {
    pulls_.push_back(t.id);
    absl::Status result = absl::NotFoundError("no source had it");
    for (const auto& src : t.sources) {
      if (!Reach(src.drive_id).ok()) continue;
      auto& from = drives_[src.drive_id];
      auto it = from.find({t.account, t.id});
      if (it == from.end()) continue;
      drives_[target.info.id][{t.account, t.id}] = Copy{it->second.size, 0};
      out.bytes_copied += it->second.size;
      result = absl::OkStatus();
      break;
    }
    out.results.push_back(result);
  }
  return out;
}

absl::StatusOr<uint64_t> FakeNodes::Delete(const DriveView& drive,
                                           const std::string& account,
                                           const std::vector<ChunkId>& ids,
                                           int64_t stored_before_unix_s) {
  uint64_t n = 0;
  for (const auto& id : ids) {
    if (on_delete_) on_delete_(drive.info.id, account, id);
    absl::MutexLock lock(&mu_);
    if (absl::Status s = Reach(drive.info.id); !s.ok()) return s;
    auto& chunks = drives_[drive.info.id];
    auto it = chunks.find({account, id});
    if (it == chunks.end()) continue;
    if (stored_before_unix_s > 0 &&
        it->second.stored_at_s >= stored_before_unix_s)
      continue;
    chunks.erase(it);
    ++deletes_;
    ++n;
  }
  return n;
}

absl::StatusOr<std::vector<absl::Status>> FakeNodes::Verify(
    const DriveView& drive, const std::string& account,
    const std::vector<ChunkId>& ids) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Reach(drive.info.id); !s.ok()) return s;
  std::vector<absl::Status> out;
  for (const auto& id : ids) {
    out.push_back(drives_[drive.info.id].count({account, id})
                      ? absl::OkStatus()
                      : absl::NotFoundError("absent"));
  }
  return out;
}

coordinator::DriveScrubOutcome FakeNodes::Scrub(const DriveView& drive, bool) {
  coordinator::DriveScrubOutcome out;
  out.drive_id = drive.info.id;
  absl::MutexLock lock(&mu_);
  out.status = Reach(drive.info.id);
  out.verified_chunks = drives_[drive.info.id].size();
  return out;
}

absl::Status FakeNodes::PutBackupRecord(const DriveView& drive,
                                        const std::string&, const std::string&,
                                        const std::vector<std::string>&) {
  absl::MutexLock lock(&mu_);
  return Reach(drive.info.id);
}

}  // namespace drive::testing
