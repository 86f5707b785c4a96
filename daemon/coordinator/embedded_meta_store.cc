#include "daemon/coordinator/embedded_meta_store.h"

#include <algorithm>
#include <charconv>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "daemon/storage/rocksdb_status.h"
#include "rocksdb/db.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"

namespace drive::coordinator {
namespace {

using storage::FromRocksDb;

// Reserved keys (they start with NUL, which callers' keys never do):
// the store's revision, and each key's revision, both decimal ASCII.
constexpr std::string_view kStoreRevisionKey("\0c", 2);
constexpr std::string_view kKeyRevisionPrefix("\0r", 2);
// The revision of a key written before revisions existed, and of a new
// store (so that the first write is revision 2, as on a fresh etcd).
constexpr int64_t kFirstRevision = 1;

std::string RevisionKey(std::string_view key) {
  std::string out(kKeyRevisionPrefix);
  out.append(key);
  return out;
}

rocksdb::Slice ToSlice(std::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

absl::StatusOr<int64_t> ParseRevision(std::string_view text) {
  int64_t r = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), r);
  if (ec != std::errc() || end != text.data() + text.size() || r <= 0) {
    return absl::DataLossError(absl::StrCat("bad revision record \"",
                                            absl::CHexEscape(Sv(text)), "\""));
  }
  return r;
}

// The value of `key` at `options`' snapshot, or nullopt.
absl::StatusOr<std::optional<std::string>> GetRaw(
    rocksdb::DB* db, const rocksdb::ReadOptions& options,
    std::string_view key) {
  std::string value;
  rocksdb::Status s = db->Get(options, ToSlice(key), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocksDb(s, "reading coordinator store");
  return value;
}

// The revision of a present key from its revision record (or its absence).
absl::StatusOr<int64_t> RevisionOf(rocksdb::DB* db,
                                   const rocksdb::ReadOptions& options,
                                   std::string_view key) {
  DRIVE_ASSIGN_OR_RETURN(auto rev, GetRaw(db, options, RevisionKey(key)));
  if (!rev) return kFirstRevision;
  return ParseRevision(*rev);
}

}  // namespace

EmbeddedMetaStore::EmbeddedMetaStore(std::unique_ptr<rocksdb::DB> db,
                                     int64_t revision,
                                     EmbeddedMetaOptions options)
    : db_(std::move(db)), options_(options), revision_(revision) {}

EmbeddedMetaStore::~EmbeddedMetaStore() {
  if (db_) db_->Close().PermitUncheckedError();
}

absl::StatusOr<std::unique_ptr<EmbeddedMetaStore>> EmbeddedMetaStore::Open(
    const std::string& path, EmbeddedMetaOptions options) {
  rocksdb::Options o;
  o.create_if_missing = true;
  o.keep_log_file_num = 3;
  rocksdb::BlockBasedTableOptions t;
  t.checksum = rocksdb::kXXH3;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  rocksdb::DB* raw = nullptr;
  DRIVE_RETURN_IF_ERROR(FromRocksDb(rocksdb::DB::Open(o, path, &raw),
                                    "opening coordinator store " + path));
  std::unique_ptr<rocksdb::DB> db(raw);
  DRIVE_ASSIGN_OR_RETURN(
      auto stored, GetRaw(db.get(), rocksdb::ReadOptions(), kStoreRevisionKey));
  int64_t revision = kFirstRevision;
  if (stored) {
    DRIVE_ASSIGN_OR_RETURN(revision, ParseRevision(*stored));
  }
  return std::unique_ptr<EmbeddedMetaStore>(
      new EmbeddedMetaStore(std::move(db), revision, options));
}

absl::StatusOr<std::optional<MetaRecord>> EmbeddedMetaStore::Read(
    std::string_view key) {
  DRIVE_RETURN_IF_ERROR(CheckKey(key));
  // One snapshot for the value and its revision record (written together).
  rocksdb::ManagedSnapshot snapshot(db_.get());
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot.snapshot();
  DRIVE_ASSIGN_OR_RETURN(auto value, GetRaw(db_.get(), ro, key));
  if (!value) return std::nullopt;
  DRIVE_ASSIGN_OR_RETURN(int64_t revision, RevisionOf(db_.get(), ro, key));
  return MetaRecord{std::move(*value), revision};
}

absl::StatusOr<int64_t> EmbeddedMetaStore::CurrentRevision(
    std::string_view key) {
  rocksdb::ReadOptions ro;
  DRIVE_ASSIGN_OR_RETURN(auto value, GetRaw(db_.get(), ro, key));
  if (!value) return kAbsentRevision;
  return RevisionOf(db_.get(), ro, key);
}

absl::Status EmbeddedMetaStore::CheckOps(
    const MetaBatch& batch, const std::vector<MetaBatch::Op>& ops) const {
  DRIVE_RETURN_IF_ERROR(CheckBatch(batch, ops, options_.limits));
  int64_t bytes = 0;
  for (const auto& op : ops) bytes += op.key.size() + op.value.size();
  for (const auto& c : batch.conditions()) bytes += c.key.size();
  if (options_.limits.max_bytes > 0 && bytes > options_.limits.max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("metadata write of ", bytes, " bytes exceeds the store's ",
                     options_.limits.max_bytes, "; nothing written"));
  }
  return absl::OkStatus();
}

absl::Status EmbeddedMetaStore::CheckLimits(const MetaBatch& batch) const {
  return CheckOps(batch, batch.FinalOps());
}

absl::StatusOr<int64_t> EmbeddedMetaStore::Commit(const MetaBatch& batch) {
  std::vector<MetaBatch::Op> ops = batch.FinalOps();
  DRIVE_RETURN_IF_ERROR(CheckOps(batch, ops));
  // Holding write_mu_ from the condition checks to the write makes them
  // one step: no other Commit can change a checked key in between.
  absl::MutexLock lock(&write_mu_);
  for (const auto& c : batch.conditions()) {
    DRIVE_ASSIGN_OR_RETURN(int64_t now, CurrentRevision(c.key));
    if (now != c.revision) {
      return absl::AbortedError(absl::StrCat(
          "metadata key \"", absl::CHexEscape(c.key), "\" is at revision ", now,
          ", expected ", c.revision, "; nothing written"));
    }
  }
  if (ops.empty()) return revision_;
  int64_t next = revision_ + 1;
  std::string next_text = absl::StrCat(next);
  rocksdb::WriteBatch wb;
  for (const auto& op : ops) {
    if (op.del) {
      wb.Delete(op.key);
      wb.Delete(RevisionKey(op.key));
    } else {
      wb.Put(op.key, op.value);
      wb.Put(RevisionKey(op.key), next_text);
    }
  }
  wb.Put(ToSlice(kStoreRevisionKey), next_text);
  rocksdb::WriteOptions wo;
  wo.sync = true;  // namespace commits are acknowledged as durable
  DRIVE_RETURN_IF_ERROR(
      FromRocksDb(db_->Write(wo, &wb), "writing coordinator store"));
  revision_ = next;
  return next;
}

absl::Status EmbeddedMetaStore::ScanEntries(
    std::string_view prefix, std::string_view start,
    const std::function<bool(const MetaEntry&)>& fn) {
  rocksdb::ManagedSnapshot snapshot(db_.get());
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot.snapshot();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  std::unique_ptr<rocksdb::Iterator> revs(db_->NewIterator(ro));
  // Callers' keys sort after the reserved ones (which start with NUL).
  std::string from(std::max({prefix, start, std::string_view("\x01", 1)}));
  it->Seek(from);
  revs->Seek(RevisionKey(from));
  std::string rev_key;
  for (; it->Valid(); it->Next()) {
    std::string_view key = it->key().ToStringView();
    if (key.substr(0, prefix.size()) != prefix) break;
    // Both iterators walk the same key order; advance the revision one up
    // to this key. A key without a revision record is a legacy key.
    rev_key = RevisionKey(key);
    while (revs->Valid() && revs->key().ToStringView() < rev_key) revs->Next();
    int64_t revision = kFirstRevision;
    if (revs->Valid() && revs->key().ToStringView() == rev_key) {
      DRIVE_ASSIGN_OR_RETURN(revision,
                             ParseRevision(revs->value().ToStringView()));
    }
    if (!fn(MetaEntry{key, it->value().ToStringView(), revision})) break;
  }
  DRIVE_RETURN_IF_ERROR(
      FromRocksDb(revs->status(), "scanning coordinator store"));
  return FromRocksDb(it->status(), "scanning coordinator store");
}

absl::Status EmbeddedMetaStore::Checkpoint(const std::string& dir) {
  rocksdb::Checkpoint* raw = nullptr;
  DRIVE_RETURN_IF_ERROR(FromRocksDb(
      rocksdb::Checkpoint::Create(db_.get(), &raw), "preparing a checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush 0: flush the memtable first, so the checkpoint is
  // SST files and a MANIFEST with no WAL to replay.
  return FromRocksDb(checkpoint->CreateCheckpoint(dir, 0),
                     "writing a checkpoint to " + dir);
}

}  // namespace drive::coordinator
