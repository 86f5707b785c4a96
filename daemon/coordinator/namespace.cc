#include "daemon/coordinator/namespace.h"

#include <algorithm>
#include <set>
#include <span>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/content_type.h"
#include "common/data_token.h"
#include "common/file_path.h"
#include "common/names.h"
#include "common/status_macros.h"
#include "common/status_util.h"
#include "common/timestamps.h"

namespace drive::coordinator {
namespace {

// A deletion counts as complete for commits that started at least this
// long after it (coordinator clock on both sides).
constexpr int64_t kTombstoneMarginMs = 1000;

// Key layout: docs/formats/coordinator-keys.md. Paths never contain NUL, so
// it separates account from path and keeps each account's keys together.
std::string FileKey(const std::string& account, const std::string& path) {
  return absl::StrCat("f/", account, std::string(1, '\0'), path);
}
std::string FilePrefix(const std::string& account) {
  return absl::StrCat("f/", account, std::string(1, '\0'));
}
std::string TrashKey(const std::string& account, const std::string& id) {
  return absl::StrCat("t/", account, std::string(1, '\0'), id);
}
std::string TrashPrefix(const std::string& account) {
  return absl::StrCat("t/", account, std::string(1, '\0'));
}
std::string AccountKey(const std::string& account) { return "a/" + account; }
std::string TokenKey(std::string_view token) { return "k/" + Sha256Hex(token); }

absl::Status ValidateRecord(const FileRecord& f) {
  DRIVE_RETURN_IF_ERROR(ValidateFilePath(f.path));
  uint64_t total = 0;
  for (size_t i = 0; i < f.chunks.size(); ++i) {
    const auto& c = f.chunks[i];
    if (c.size == 0 || c.size > kMaxChunkBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(f.path, ": chunk ", i, " has size ", c.size));
    }
    total += c.size;
  }
  if (total != f.size) {
    return absl::InvalidArgumentError(absl::StrCat(
        f.path, ": chunk sizes add up to ", total, ", file size is ", f.size));
  }
  // The content type goes into HTTP response headers as stored, and the
  // mtime into listings as a calendar date.
  DRIVE_RETURN_IF_ERROR(Annotate(ValidateContentType(f.content_type), f.path));
  return Annotate(ValidateTimestampMs("mtime", f.mtime_ms), f.path);
}

// Checks one commit's manifests: each valid, no path twice.
absl::Status ValidateCommit(std::span<const FileRecord> files) {
  if (files.empty()) return absl::InvalidArgumentError("nothing to commit");
  std::set<std::string> paths;
  for (const auto& f : files) {
    DRIVE_RETURN_IF_ERROR(ValidateRecord(f));
    if (!paths.insert(f.path).second) {
      return absl::InvalidArgumentError("path twice in one commit: " + f.path);
    }
  }
  return absl::OkStatus();
}

}  // namespace

Namespace::Namespace(MetaStore* store, Env* env, NamespaceOptions options)
    : store_(store), env_(env), options_(options), refs_(store) {}

absl::Status Namespace::Load() {
  DRIVE_RETURN_IF_ERROR(refs_.BuildIfMissing());
  DRIVE_ASSIGN_OR_RETURN(auto erased, store_->Get("m/tombstones_erased_ms"));
  int64_t erased_ms = 0;
  if (erased && !absl::SimpleAtoi(*erased, &erased_ms)) {
    return absl::DataLossError("unreadable m/tombstones_erased_ms");
  }
  oldest_upload_ms_ = erased_ms;
  uint64_t files = 0, bytes = 0;
  absl::Status bad;
  DRIVE_RETURN_IF_ERROR(
      store_->Scan("f/", "", [&](std::string_view, std::string_view v) {
        auto f = DecodeFileRecord(v);
        if (!f.ok()) {
          bad = f.status();
          return false;
        }
        ++files;
        bytes += f->size;
        return true;
      }));
  DRIVE_RETURN_IF_ERROR(bad);
  files_ = files;
  bytes_ = bytes;
  return absl::OkStatus();
}

absl::StatusOr<std::string> Namespace::CreateAccount(const std::string& account,
                                                     bool add_token) {
  DRIVE_RETURN_IF_ERROR(ValidateAccountName(account));
  absl::MutexLock lock(&write_mu_);
  DRIVE_ASSIGN_OR_RETURN(auto existing, store_->Get(AccountKey(account)));
  if (existing && !add_token) {
    return absl::AlreadyExistsError("account " + account + " exists");
  }
  std::string token = "drv_" + RandomHex(24);
  MetaBatch b;
  if (!existing) {
    b.Put(
        AccountKey(account),
        absl::StrCat("{\"created_ms\":", absl::ToUnixMillis(env_->Now()), "}"));
  }
  b.Put(TokenKey(token), account);
  DRIVE_RETURN_IF_ERROR(Write(b));
  return token;
}

absl::StatusOr<std::string> Namespace::AccountForToken(std::string_view token) {
  if (token.empty()) return absl::UnauthenticatedError("missing token");
  DRIVE_ASSIGN_OR_RETURN(auto account, store_->Get(TokenKey(token)));
  if (!account) return absl::UnauthenticatedError("unknown token");
  return *account;
}

absl::Status Namespace::CheckAccount(const std::string& account) {
  DRIVE_RETURN_IF_ERROR(ValidateAccountName(account));
  DRIVE_ASSIGN_OR_RETURN(auto a, store_->Get(AccountKey(account)));
  if (!a) return absl::NotFoundError("no account " + account);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<FileRecord>> Namespace::Find(
    const std::string& account, const std::string& path) {
  DRIVE_ASSIGN_OR_RETURN(auto v, store_->Get(FileKey(account, path)));
  if (!v) return std::optional<FileRecord>();
  DRIVE_ASSIGN_OR_RETURN(FileRecord f, DecodeFileRecord(*v));
  return std::optional<FileRecord>(std::move(f));
}

TrashRecord Namespace::Trash(const std::string& account, const FileRecord& file,
                             MetaBatch* batch) {
  int64_t now = absl::ToUnixMillis(env_->Now());
  TrashRecord t;
  // Sortable by deletion time; the random suffix separates same-ms deletes.
  t.trash_id = absl::StrFormat("%013d-%s", now, RandomHex(4));
  t.file = file;
  t.deleted_ms = now;
  t.purge_after_ms = now + absl::ToInt64Milliseconds(options_.trash_retention);
  batch->Put(TrashKey(account, t.trash_id), EncodeTrashRecord(t));
  return t;
}

absl::StatusOr<std::vector<FileRecord>> Namespace::Commit(
    const std::string& account, std::vector<FileRecord> files,
    const std::vector<uint64_t>* expected_versions, int64_t upload_started_ms) {
  DRIVE_RETURN_IF_ERROR(CheckAccount(account));
  if (expected_versions && expected_versions->size() != files.size()) {
    return absl::InvalidArgumentError("one expected version per file, please");
  }
  DRIVE_RETURN_IF_ERROR(ValidateCommit(files));
  absl::MutexLock lock(&write_mu_);
  int64_t now = absl::ToUnixMillis(env_->Now());
  MetaBatch batch;
  CommitDelta delta;
  DRIVE_RETURN_IF_ERROR(PrepareCommit(
      account, files, expected_versions ? expected_versions->data() : nullptr,
      upload_started_ms, now, &batch, &delta));
  absl::Status written = Write(batch);
  if (absl::IsResourceExhausted(written)) {
    return TooLargeForOneWrite(account, files, upload_started_ms, now, written);
  }
  DRIVE_RETURN_IF_ERROR(written);
  files_ += delta.files;
  bytes_ += delta.bytes;
  return files;
}

std::vector<absl::StatusOr<FileRecord>> Namespace::CommitEach(
    const std::string& account, std::vector<FileRecord> files,
    int64_t upload_started_ms) {
  std::vector<absl::StatusOr<FileRecord>> results(
      files.size(), absl::InternalError("not committed"));
  absl::Status account_ok = CheckAccount(account);
  std::vector<size_t> todo;  // indexes of the files that may commit
  std::set<std::string> paths;
  for (size_t i = 0; i < files.size(); ++i) {
    absl::Status valid =
        account_ok.ok() ? ValidateRecord(files[i]) : account_ok;
    if (valid.ok() && !paths.insert(files[i].path).second) {
      valid = absl::InvalidArgumentError("path twice in one commit: " +
                                         files[i].path);
    }
    if (valid.ok()) {
      todo.push_back(i);
    } else {
      results[i] = valid;
    }
  }
  absl::MutexLock lock(&write_mu_);
  int64_t now = absl::ToUnixMillis(env_->Now());
  // Every file writes at least its own record, so a group holds at most
  // max_ops files. A group the store refuses for its size shrinks in
  // proportion to its keys (or by half, for bytes) and is tried again; one
  // refused for one of its files (a GC tombstone, say) is retried file by
  // file up to solo_until.
  // A file too large for any write shrinks the groups around it only
  // until it has failed: then they go back to the largest size written.
  const MetaLimits limits = store_->limits();
  size_t group = todo.size(), solo_until = 0, written = 0;
  if (limits.max_ops > 0) {
    group = std::min(group, static_cast<size_t>(limits.max_ops));
  }
  const size_t first_group = group;
  for (size_t next = 0; next < todo.size();) {
    size_t k = next < solo_until ? 1 : std::min(group, todo.size() - next);
    std::vector<FileRecord> part;
    for (size_t j = next; j < next + k; ++j) part.push_back(files[todo[j]]);
    MetaBatch batch;
    CommitDelta delta;
    absl::Status s = PrepareCommit(account, part, nullptr, upload_started_ms,
                                   now, &batch, &delta);
    if (s.ok()) s = Write(batch);
    if (s.ok()) {
      for (size_t j = 0; j < k; ++j) results[todo[next + j]] = part[j];
      files_ += delta.files;
      bytes_ += delta.bytes;
      next += k;
      written = std::max(written, k);
      continue;
    }
    bool about_the_files = absl::IsResourceExhausted(s) || absl::IsAborted(s) ||
                           absl::IsInvalidArgument(s);
    if (k > 1 && absl::IsResourceExhausted(s)) {
      size_t keys = batch.FinalOps().size();
      size_t max = static_cast<size_t>(std::max(limits.max_ops, 0));
      group =
          max > 0 && keys > max ? std::max<size_t>(1, k * max / keys) : k / 2;
      group = std::min(group, k - 1);
    } else if (k > 1 && about_the_files) {
      solo_until = next + k;
    } else if (about_the_files) {
      results[todo[next++]] = s;
      if (absl::IsResourceExhausted(s)) {
        group = written > 0 ? written : first_group;
      }
    } else {
      // The store failed (after kUnavailable a write may have landed):
      // nothing further is tried.
      for (; next < todo.size(); ++next) results[todo[next]] = s;
    }
  }
  return results;
}

absl::Status Namespace::PrepareCommit(const std::string& account,
                                      std::span<FileRecord> files,
                                      const uint64_t* expected_versions,
                                      int64_t upload_started_ms, int64_t now,
                                      MetaBatch* batch, CommitDelta* delta) {
  for (size_t i = 0; i < files.size(); ++i) {
    FileRecord& f = files[i];
    DRIVE_ASSIGN_OR_RETURN(auto old, Find(account, f.path));
    uint64_t current = old ? old->version : 0;
    if (expected_versions && expected_versions[i] != current) {
      return absl::AbortedError(
          absl::StrCat(f.path, " is at version ", current, ", expected ",
                       expected_versions[i], "; nothing committed"));
    }
    if (old) {
      Trash(account, *old, batch);
      delta->bytes -= static_cast<int64_t>(old->size);
    } else {
      ++delta->files;
    }
    f.version = current + 1;
    f.committed_ms = now;
    delta->bytes += static_cast<int64_t>(f.size);
    batch->Put(FileKey(account, f.path), EncodeFileRecord(f));
  }
  DRIVE_RETURN_IF_ERROR(
      CheckTombstones(account, files, upload_started_ms, batch));
  for (const auto& f : files) refs_.Stage(account, f, +1);
  return refs_.Flush(batch, now);
}

absl::Status Namespace::TooLargeForOneWrite(const std::string& account,
                                            std::span<const FileRecord> files,
                                            int64_t upload_started_ms,
                                            int64_t now,
                                            const absl::Status& refusal) {
  // The largest prefix of `files` whose write the store takes; its size
  // grows with the prefix, so a binary search finds it.
  auto fits = [&](size_t k) ABSL_EXCLUSIVE_LOCKS_REQUIRED(
                  write_mu_) -> absl::StatusOr<bool> {
    std::vector<FileRecord> part(files.begin(), files.begin() + k);
    MetaBatch batch;
    CommitDelta ignored;
    DRIVE_RETURN_IF_ERROR(PrepareCommit(
        account, part, nullptr, upload_started_ms, now, &batch, &ignored));
    absl::Status s = store_->CheckLimits(batch);
    if (absl::IsResourceExhausted(s)) return false;
    DRIVE_RETURN_IF_ERROR(s);
    return true;
  };
  size_t lo = 0, hi = files.size();  // fits(lo), !fits(hi)
  DRIVE_ASSIGN_OR_RETURN(bool all, fits(hi));
  if (all) return refusal;  // the server's limits are below the store's
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    DRIVE_ASSIGN_OR_RETURN(bool ok, fits(mid));
    (ok ? lo : hi) = mid;
  }
  if (lo == 0) {
    return absl::ResourceExhaustedError(absl::StrCat(
        files[0].path, " alone is too large for one metadata write (",
        refusal.message(), "); nothing committed"));
  }
  return absl::ResourceExhaustedError(absl::StrCat(
      "an atomic commit of ", files.size(),
      " files is too large for one metadata write (", refusal.message(),
      "); only ", lo, " of these files fit in one atomic commit: commit ",
      "smaller sets, or each file on its own (drive put without --atomic); "
      "nothing committed"));
}

absl::Status Namespace::CheckTombstones(const std::string& account,
                                        std::span<const FileRecord> files,
                                        int64_t upload_started_ms,
                                        MetaBatch* batch) {
  if (upload_started_ms != 0 && upload_started_ms < oldest_upload_ms_) {
    return MarkUploadAgain(absl::AbortedError(absl::StrCat(
        "the upload started too long ago to be checked against garbage "
        "collection; ",
        kUploadAgain, ", nothing committed")));
  }
  std::set<ChunkId> revived;
  for (const auto& f : files) {
    for (size_t i = 0; i < f.chunks.size(); ++i) {
      const ChunkId& id = f.chunks[i].id;
      DRIVE_ASSIGN_OR_RETURN(auto t, refs_.GetTombstone(account, id));
      if (!t) continue;
      // Copies the writer found before the deletes finished may be gone.
      // Every copy written after they finished is the writer's own.
      bool safe = t->completed_ms > 0 && upload_started_ms > 0 &&
                  upload_started_ms > t->completed_ms + kTombstoneMarginMs;
      if (!safe) {
        return MarkUploadAgain(absl::AbortedError(
            absl::StrCat(f.path, ": chunk ", i, " (", id.ToHex(),
                         ") was garbage-collected while this upload ran; ",
                         kUploadAgain, ", nothing committed")));
      }
      if (revived.insert(id).second) refs_.DeleteTombstone(account, id, batch);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<FileRecord> Namespace::Stat(const std::string& account,
                                           const std::string& path) {
  DRIVE_RETURN_IF_ERROR(CheckAccount(account));
  DRIVE_RETURN_IF_ERROR(ValidateFilePath(path));
  DRIVE_ASSIGN_OR_RETURN(auto f, Find(account, path));
  if (!f) return absl::NotFoundError("no file " + path);
  return *f;
}

absl::StatusOr<FileListing> Namespace::List(const std::string& account,
                                            const std::string& prefix,
                                            const std::string& cursor,
                                            size_t limit) {
  DRIVE_RETURN_IF_ERROR(CheckAccount(account));
  DRIVE_RETURN_IF_ERROR(ValidatePathPrefix(prefix));
  if (limit == 0 || limit > 10000) {
    return absl::InvalidArgumentError("limit must be 1..10000");
  }
  if (!cursor.empty() && cursor.compare(0, prefix.size(), prefix) != 0) {
    return absl::InvalidArgumentError("cursor does not belong to this prefix");
  }
  std::string key_prefix = FilePrefix(account) + prefix;
  // The cursor is the last path returned; start just after it.
  std::string start =
      cursor.empty() ? "" : FileKey(account, cursor) + std::string(1, '\0');
  FileListing out;
  absl::Status bad;
  DRIVE_RETURN_IF_ERROR(store_->Scan(
      key_prefix, start, [&](std::string_view, std::string_view v) {
        if (out.files.size() == limit) {
          out.next_cursor = out.files.back().path;
          return false;
        }
        auto f = DecodeFileRecord(v);
        if (!f.ok()) {
          bad = f.status();
          return false;
        }
        out.files.push_back(std::move(*f));
        return true;
      }));
  DRIVE_RETURN_IF_ERROR(bad);
  return out;
}

absl::StatusOr<FileRecord> Namespace::Move(const std::string& account,
                                           const std::string& from,
                                           const std::string& to,
                                           bool overwrite) {
  DRIVE_RETURN_IF_ERROR(CheckAccount(account));
  DRIVE_RETURN_IF_ERROR(ValidateFilePath(from));
  DRIVE_RETURN_IF_ERROR(ValidateFilePath(to));
  if (from == to)
    return absl::InvalidArgumentError("source and target are the same");
  absl::MutexLock lock(&write_mu_);
  DRIVE_ASSIGN_OR_RETURN(auto src, Find(account, from));
  if (!src) return absl::NotFoundError("no file " + from);
  DRIVE_ASSIGN_OR_RETURN(auto dst, Find(account, to));
  MetaBatch batch;
  FileRecord moved = *src;
  moved.path = to;
  moved.version = 1;
  if (dst) {
    if (!overwrite) return absl::AlreadyExistsError(to + " exists");
    Trash(account, *dst, &batch);
    moved.version = dst->version + 1;
  }
  batch.Delete(FileKey(account, from));
  batch.Put(FileKey(account, to), EncodeFileRecord(moved));
  DRIVE_RETURN_IF_ERROR(Write(batch));
  if (dst) {
    bytes_ -= dst->size;
    files_ -= 1;
  }
  return moved;
}

absl::StatusOr<TrashRecord> Namespace::Delete(const std::string& account,
                                              const std::string& path) {
  DRIVE_RETURN_IF_ERROR(CheckAccount(account));
  DRIVE_RETURN_IF_ERROR(ValidateFilePath(path));
  absl::MutexLock lock(&write_mu_);
  DRIVE_ASSIGN_OR_RETURN(auto f, Find(account, path));
  if (!f) return absl::NotFoundError("no file " + path);
  MetaBatch batch;
  TrashRecord t = Trash(account, *f, &batch);
  batch.Delete(FileKey(account, path));
  DRIVE_RETURN_IF_ERROR(Write(batch));
  files_ -= 1;
  bytes_ -= f->size;
  return t;
}

absl::StatusOr<std::vector<TrashRecord>> Namespace::ListTrash(
    const std::string& account, const std::string& prefix) {
  DRIVE_RETURN_IF_ERROR(CheckAccount(account));
  DRIVE_RETURN_IF_ERROR(ValidatePathPrefix(prefix));
  std::vector<TrashRecord> out;
  absl::Status bad;
  DRIVE_RETURN_IF_ERROR(store_->Scan(
      TrashPrefix(account), "", [&](std::string_view, std::string_view v) {
        auto t = DecodeTrashRecord(v);
        if (!t.ok()) {
          bad = t.status();
          return false;
        }
        if (t->file.path.compare(0, prefix.size(), prefix) == 0) {
          out.push_back(std::move(*t));
        }
        return out.size() < 100000;
      }));
  DRIVE_RETURN_IF_ERROR(bad);
  return out;
}

absl::StatusOr<FileRecord> Namespace::Restore(const std::string& account,
                                              const std::string& id_or_path,
                                              const std::string& to_path) {
  if (!to_path.empty()) DRIVE_RETURN_IF_ERROR(ValidateFilePath(to_path));
  // Find and restore under one lock, so two restores of one entry cannot
  // both succeed.
  absl::MutexLock lock(&write_mu_);
  DRIVE_ASSIGN_OR_RETURN(auto entries, ListTrash(account, ""));
  const TrashRecord* by_id = nullptr;
  const TrashRecord* by_path = nullptr;
  for (const auto& t : entries) {
    if (t.trash_id == id_or_path) by_id = &t;
    // Trash ids sort by time, so the last match is the newest.
    if (t.file.path == id_or_path) by_path = &t;
  }
  const TrashRecord* pick = by_id ? by_id : by_path;
  if (pick == nullptr) {
    return absl::NotFoundError("nothing in the trash matches " + id_or_path);
  }
  FileRecord f = pick->file;
  if (!to_path.empty()) f.path = to_path;
  DRIVE_ASSIGN_OR_RETURN(auto existing, Find(account, f.path));
  if (existing) {
    return absl::AlreadyExistsError(
        f.path + " exists; restore to another path with --to");
  }
  f.version = 1;
  MetaBatch batch;
  batch.Delete(TrashKey(account, pick->trash_id));
  batch.Put(FileKey(account, f.path), EncodeFileRecord(f));
  DRIVE_RETURN_IF_ERROR(Write(batch));
  files_ += 1;
  bytes_ += f.size;
  return f;
}

}  // namespace drive::coordinator

namespace drive::coordinator {

absl::StatusOr<uint64_t> Namespace::ExpireTrash(int64_t now_ms, bool dry_run) {
  uint64_t expired = 0;
  while (true) {
    absl::MutexLock lock(&write_mu_);
    MetaBatch batch;
    // Writes of at most KeysPerWrite() keys (an entry and its chunks'
    // counts together); the scan restarts after each write.
    size_t keys = 0;
    bool full = false;
    absl::Status bad;
    std::string resume;
    DRIVE_RETURN_IF_ERROR(
        store_->Scan("t/", "", [&](std::string_view k, std::string_view v) {
          auto t = DecodeTrashRecord(v);
          if (!t.ok()) {
            bad = t.status();
            return false;
          }
          if (t->purge_after_ms > now_ms) return true;
          size_t cost = 1 + t->file.chunks.size();
          if (!dry_run && keys > 0 && keys + cost > KeysPerWrite()) {
            full = true;
            return false;
          }
          ++expired;
          if (dry_run) return true;
          std::string_view rest = k.substr(2);
          refs_.Stage(std::string(rest.substr(0, rest.find('\0'))), t->file,
                      -1);
          batch.Delete(std::string(k));
          keys += cost;
          return true;
        }));
    if (!bad.ok()) {
      refs_.ClearStage();
      return bad;
    }
    if (dry_run || batch.empty()) return expired;
    DRIVE_RETURN_IF_ERROR(refs_.Flush(&batch, now_ms));
    DRIVE_RETURN_IF_ERROR(Write(batch));
    if (!full) return expired;
  }
}

absl::StatusOr<RefState> Namespace::Refs(const std::string& account,
                                         const ChunkId& id) {
  return refs_.Get(account, id);
}

absl::StatusOr<std::vector<std::pair<std::string, ChunkId>>> Namespace::Condemn(
    const std::vector<std::pair<std::string, ChunkId>>& chunks,
    int64_t now_ms) {
  absl::MutexLock lock(&write_mu_);
  // A chunk's tombstone and reference go in one write (two keys); chunks
  // are independent, so several writes are fine. After an error the
  // tombstones written so far count as pending deletes for the next run.
  MetaBatch batch;
  size_t in_batch = 0;
  std::vector<std::pair<std::string, ChunkId>> out;
  for (const auto& [account, id] : chunks) {
    DRIVE_ASSIGN_OR_RETURN(RefState r, refs_.Get(account, id));
    if (r.count > 0) continue;  // committed meanwhile: live
    refs_.PutTombstone(account, id, Tombstone{now_ms, 0}, &batch);
    if (r.known) refs_.DeleteRef(account, id, &batch);
    out.push_back({account, id});
    if (++in_batch >= std::max<size_t>(1, KeysPerWrite() / 2)) {
      DRIVE_RETURN_IF_ERROR(Write(batch));
      batch = MetaBatch();
      in_batch = 0;
    }
  }
  if (!batch.empty()) DRIVE_RETURN_IF_ERROR(Write(batch));
  return out;
}

absl::Status Namespace::CompleteTombstones(
    const std::vector<std::pair<std::string, ChunkId>>& chunks,
    int64_t now_ms) {
  absl::MutexLock lock(&write_mu_);
  MetaBatch batch;
  size_t in_batch = 0;
  for (const auto& [account, id] : chunks) {
    DRIVE_ASSIGN_OR_RETURN(auto t, refs_.GetTombstone(account, id));
    if (!t || t->completed_ms != 0) continue;  // revived, or done already
    t->completed_ms = now_ms;
    refs_.PutTombstone(account, id, *t, &batch);
    if (++in_batch >= KeysPerWrite()) {
      DRIVE_RETURN_IF_ERROR(Write(batch));
      batch = MetaBatch();
      in_batch = 0;
    }
  }
  if (batch.empty()) return absl::OkStatus();
  return Write(batch);
}

absl::StatusOr<std::vector<Namespace::TombstoneEntry>>
Namespace::ListTombstones() {
  std::vector<TombstoneEntry> out;
  DRIVE_RETURN_IF_ERROR(refs_.ScanTombstones(
      [&](const std::string& account, const ChunkId& id, const Tombstone& t) {
        out.push_back({account, id, t});
        return true;
      }));
  return out;
}

absl::StatusOr<uint64_t> Namespace::EraseTombstones(int64_t cutoff_ms) {
  DRIVE_ASSIGN_OR_RETURN(auto all, ListTombstones());
  absl::MutexLock lock(&write_mu_);
  std::vector<const TombstoneEntry*> erase;
  for (const auto& e : all) {
    if (e.tombstone.completed_ms == 0 || e.tombstone.completed_ms >= cutoff_ms)
      continue;
    erase.push_back(&e);
  }
  if (erase.empty()) return 0;
  // From now on, uploads older than the cutoff cannot be checked. Written
  // first, so that whatever the tombstones' writes below leave behind,
  // no such upload commits.
  MetaBatch cutoff;
  cutoff.Put("m/tombstones_erased_ms", absl::StrCat(cutoff_ms));
  DRIVE_RETURN_IF_ERROR(Write(cutoff));
  oldest_upload_ms_ = std::max(oldest_upload_ms_.load(), cutoff_ms);
  for (size_t from = 0; from < erase.size(); from += KeysPerWrite()) {
    MetaBatch batch;
    size_t to = std::min(erase.size(), from + KeysPerWrite());
    for (size_t i = from; i < to; ++i) {
      refs_.DeleteTombstone(erase[i]->account, erase[i]->id, &batch);
    }
    DRIVE_RETURN_IF_ERROR(Write(batch));
  }
  return erase.size();
}

absl::Status Namespace::Remove(const std::string& account,
                               const std::string& path) {
  DRIVE_RETURN_IF_ERROR(CheckAccount(account));
  DRIVE_RETURN_IF_ERROR(ValidateFilePath(path));
  absl::MutexLock lock(&write_mu_);
  DRIVE_ASSIGN_OR_RETURN(auto f, Find(account, path));
  if (!f) return absl::NotFoundError("no file " + path);
  MetaBatch batch;
  batch.Delete(FileKey(account, path));
  refs_.Stage(account, *f, -1);
  DRIVE_RETURN_IF_ERROR(refs_.Flush(&batch, absl::ToUnixMillis(env_->Now())));
  DRIVE_RETURN_IF_ERROR(Write(batch));
  files_ -= 1;
  bytes_ -= f->size;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> Namespace::ListAccounts() {
  std::vector<std::string> out;
  DRIVE_RETURN_IF_ERROR(
      store_->Scan("a/", "", [&](std::string_view k, std::string_view) {
        out.push_back(std::string(k.substr(2)));
        return true;
      }));
  return out;
}

absl::StatusOr<std::vector<std::string>> Namespace::FilesUsing(
    const std::set<std::pair<std::string, ChunkId>>& chunks, size_t limit,
    uint64_t* total) {
  std::vector<std::string> out;
  *total = 0;
  if (chunks.empty()) return out;
  absl::Status bad;
  // f/<account>\0<path> and t/<account>\0<id> records.
  auto scan = [&](const char* prefix, bool trash) {
    return store_->Scan(
        prefix, "", [&](std::string_view k, std::string_view v) {
          std::string_view rest = k.substr(2);
          std::string account(rest.substr(0, rest.find('\0')));
          absl::StatusOr<FileRecord> f;
          if (trash) {
            auto t = DecodeTrashRecord(v);
            f = t.ok() ? absl::StatusOr<FileRecord>(std::move(t->file))
                       : t.status();
          } else {
            f = DecodeFileRecord(v);
          }
          if (!f.ok()) {
            bad = f.status();
            return false;
          }
          for (const auto& c : f->chunks) {
            if (!chunks.count({account, c.id})) continue;
            if (++*total <= limit) {
              out.push_back(absl::StrCat(account, "/", f->path,
                                         trash ? " (in trash)" : ""));
            }
            break;
          }
          return true;
        });
  };
  DRIVE_RETURN_IF_ERROR(scan("f/", false));
  DRIVE_RETURN_IF_ERROR(bad);
  DRIVE_RETURN_IF_ERROR(scan("t/", true));
  DRIVE_RETURN_IF_ERROR(bad);
  return out;
}

absl::Status Namespace::Write(const MetaBatch& batch) {
  const FencedMetaStore* fence = options_.leader_fence;
  if (fence == nullptr) return store_->Write(batch);
  FencedMetaStore::LeaderScope as_leader(fence);
  absl::Status s = store_->Write(batch);
  // Namespace batches carry no conditions of their own, so kAborted from
  // the fenced store means this coordinator is not (or no longer) leader.
  if (absl::IsAborted(s) && batch.conditions().empty()) {
    return absl::UnavailableError(
        "this coordinator is not the leader: file and account changes go "
        "to the leader (give clients every coordinator's address); nothing "
        "written");
  }
  return s;
}

}  // namespace drive::coordinator
