#include "daemon/coordinator/meta_store.h"

#include "common/status_macros.h"
#include "daemon/storage/rocksdb_status.h"
#include "rocksdb/db.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"

namespace drive::coordinator {

using storage::FromRocksDb;

MetaStore::MetaStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}

MetaStore::~MetaStore() {
  if (db_) db_->Close().PermitUncheckedError();
}

absl::StatusOr<std::unique_ptr<MetaStore>> MetaStore::Open(
    const std::string& path) {
  rocksdb::Options o;
  o.create_if_missing = true;
  o.keep_log_file_num = 3;
  rocksdb::BlockBasedTableOptions t;
  t.checksum = rocksdb::kXXH3;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  rocksdb::DB* raw = nullptr;
  absl::Status s = FromRocksDb(rocksdb::DB::Open(o, path, &raw),
                               "opening coordinator store " + path);
  if (!s.ok()) return s;
  return std::unique_ptr<MetaStore>(
      new MetaStore(std::unique_ptr<rocksdb::DB>(raw)));
}

absl::StatusOr<std::optional<std::string>> MetaStore::Get(
    std::string_view key) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(),
                               rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocksDb(s, "reading coordinator store");
  return value;
}

absl::Status MetaStore::Write(const MetaBatch& batch) {
  rocksdb::WriteBatch wb;
  for (const auto& op : batch.ops_) {
    if (op.del) {
      wb.Delete(op.key);
    } else {
      wb.Put(op.key, op.value);
    }
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;  // namespace commits are acknowledged as durable
  DRIVE_RETURN_IF_ERROR(
      FromRocksDb(db_->Write(wo, &wb), "writing coordinator store"));
  ++writes_;  // after the write is visible: see writes()
  return absl::OkStatus();
}

absl::Status MetaStore::Scan(
    std::string_view prefix, std::string_view start,
    const std::function<bool(std::string_view, std::string_view)>& fn) {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions()));
  std::string_view from = start.empty() ? prefix : start;
  for (it->Seek(rocksdb::Slice(from.data(), from.size())); it->Valid();
       it->Next()) {
    std::string_view key = it->key().ToStringView();
    if (key.substr(0, prefix.size()) != prefix) break;
    if (!fn(key, it->value().ToStringView())) break;
  }
  return FromRocksDb(it->status(), "scanning coordinator store");
}

absl::Status MetaStore::Checkpoint(const std::string& dir) {
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
