// Metadata backups; the outline is in metadata_backup.h. Failure handling:
// a file that cannot be stored fails the backup (the previous backups stay
// as they are); a drive that does not take the record is logged and
// skipped, since every other live drive has it too.

#include "daemon/coordinator/metadata_backup.h"

#include <filesystem>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "common/status_util.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace drive::coordinator {

std::vector<std::string> BackupsToKeep(std::vector<std::string> ids,
                                       int keep_daily, int keep_monthly) {
  std::sort(ids.begin(), ids.end());
  std::set<std::string> keep;
  if (!ids.empty()) keep.insert(ids.back());
  // Newest first: the first id seen of a day (month) is its newest.
  std::set<std::string> days, months;
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    if (it->size() < 8) continue;
    std::string day = it->substr(0, 8), month = it->substr(0, 6);
    if (!days.count(day) && static_cast<int>(days.size()) < keep_daily) {
      days.insert(day);
      keep.insert(*it);
    }
    if (!months.count(month) &&
        static_cast<int>(months.size()) < keep_monthly) {
      months.insert(month);
      keep.insert(*it);
    }
  }
  return {keep.begin(), keep.end()};
}

MetadataBackup::MetadataBackup(MetaStore* store, Namespace* ns,
                               NodeRegistry* registry, NodeTransport* transport,
                               BackupSink* sink, Env* env,
                               BackupOptions options)
    : store_(store),
      ns_(ns),
      registry_(registry),
      transport_(transport),
      sink_(sink),
      env_(env),
      options_(std::move(options)) {}

BackupInfoDomain MetadataBackup::last() const {
  absl::MutexLock lock(&mu_);
  return last_;
}

absl::StatusOr<BackupInfoDomain> MetadataBackup::Run() {
  absl::MutexLock run(&run_mu_);
  absl::Time now = env_->Now();
  BackupInfoDomain info;
  info.unix_ms = absl::ToUnixMillis(now);
  info.id = absl::FormatTime("%Y%m%dT%H%M%SZ", now, absl::UTCTimeZone());
  auto fail = [&](absl::Status s) {
    absl::MutexLock lock(&mu_);
    last_.error = std::string(s.message());
    spdlog::error("event=metadata_backup_failed id={} error=\"{}\"", info.id,
                  s.ToString());
    return s;
  };
  // 0. The reserved account, made by the first leader that backs up (a
  // coordinator creates it at startup only if it may write then).
  if (auto s = ns_->CreateAccount(kSystemAccount, false);
      !s.ok() && !absl::IsAlreadyExists(s.status())) {
    return fail(s.status());
  }
  // 1. Checkpoint.
  std::string dir = options_.scratch_dir + "/" + info.id;
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(options_.scratch_dir, ec);
  if (absl::Status s = store_->Checkpoint(dir); !s.ok()) return fail(s);
  // 2. Store every file of it.
  nlohmann::json files = nlohmann::json::array();
  std::set<std::string> used_drives;
  // A backup that fails half-way leaves no files behind: without its
  // record they could not be restored, and retention would count them.
  std::vector<std::string> stored;
  auto discard = [&] {
    for (const auto& path : stored) {
      ns_->Remove(kSystemAccount, path).IgnoreError();  // GC'd if left
    }
  };
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    std::string name = entry.path().filename().string();
    auto rec = sink_->StoreFile(entry.path().string(),
                                "backups/" + info.id + "/" + name);
    if (!rec.ok()) {
      std::filesystem::remove_all(dir, ec);
      discard();
      return fail(Annotate(rec.status(), "storing backup file ", name));
    }
    stored.push_back(rec->path);
    nlohmann::json chunks = nlohmann::json::array();
    for (const auto& c : rec->chunks) {
      chunks.push_back(
          {{"id", c.id.ToHex()}, {"size", c.size}, {"replicas", c.replicas}});
      used_drives.insert(c.replicas.begin(), c.replicas.end());
    }
    files.push_back({{"name", name},
                     {"size", rec->size},
                     {"hash", rec->hash.ToHex()},
                     {"chunks", chunks}});
    info.bytes += rec->size;
  }
  std::filesystem::remove_all(dir, ec);
  if (ec) spdlog::warn("event=backup_scratch_left dir={}", dir);

  // 3. The record, on every live drive.
  auto view = registry_->View();
  nlohmann::json drives = nlohmann::json::object();
  for (const auto& d : view->drives) {
    drives[d.info.id] = {
        {"address", d.address}, {"drive", d.name}, {"region", d.info.region}};
  }
  nlohmann::json record = {{"v", 1},
                           {"id", info.id},
                           {"created_ms", info.unix_ms},
                           {"account", kSystemAccount},
                           {"files", files},
                           {"drives", drives}};
  // 4. Retention, decided before the record goes out so one call per drive
  // both adds the new record and drops the old ones.
  auto listing = ns_->List(kSystemAccount, "backups/", "", 10000);
  if (!listing.ok()) {
    discard();
    return fail(listing.status());
  }
  std::map<std::string, std::vector<std::string>> paths_by_id;
  for (const auto& f : listing->files) {
    std::string rest = f.path.substr(std::string("backups/").size());
    paths_by_id[rest.substr(0, rest.find('/'))].push_back(f.path);
  }
  std::vector<std::string> ids;
  for (const auto& [id, paths] : paths_by_id) ids.push_back(id);
  std::vector<std::string> keep =
      BackupsToKeep(ids, options_.keep_daily, options_.keep_monthly);
  std::vector<std::string> drop;
  for (const auto& id : ids) {
    if (!std::binary_search(keep.begin(), keep.end(), id)) drop.push_back(id);
  }
  int written = 0;
  for (const auto& d : view->drives) {
    if (!d.alive) continue;
    absl::Status s =
        transport_->PutBackupRecord(d, info.id, record.dump(), drop);
    if (s.ok()) {
      ++written;
    } else {
      spdlog::warn("event=backup_record_not_written drive={} error=\"{}\"",
                   d.info.id, s.ToString());
    }
  }
  if (written == 0) {
    discard();
    return fail(absl::UnavailableError("no drive took the backup record"));
  }
  for (const auto& id : drop) {
    for (const auto& path : paths_by_id[id]) {
      ns_->Remove(kSystemAccount, path).IgnoreError();  // the next run retries
    }
  }
  info.kept = static_cast<uint32_t>(keep.size());
  spdlog::info(
      "event=metadata_backup id={} bytes={} files={} records={} kept={} "
      "dropped={}",
      info.id, info.bytes, files.size(), written, info.kept, drop.size());
  absl::MutexLock lock(&mu_);
  last_ = info;
  return info;
}

}  // namespace drive::coordinator
