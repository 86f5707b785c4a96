#include "daemon/storage/chunk_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/names.h"
#include "common/status_macros.h"
#include "common/status_util.h"
#include "common/strings.h"
#include "daemon/storage/chunk_key.h"
#include "daemon/storage/group_flush.h"
#include "daemon/storage/rocksdb_status.h"
#include "nlohmann/json.hpp"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace drive::storage {
namespace {

// Reads skip RocksDB's own checksum checks (the blob records' CRC32C is
// software-only in Debian's build, ~1.3 GB/s; SST blocks use XXH3): every
// chunk read is verified end to end with XXH3-128 against its id, which
// catches everything those checks would and more.
rocksdb::ReadOptions ChunkReadOptions() {
  rocksdb::ReadOptions ro;
  ro.verify_checksums = false;
  return ro;
}

// Whether the filesystem holding `dir` accepts O_DIRECT (tmpfs and some
// others do not; RocksDB would only find out at the first flush).
bool SupportsDirectIo(const std::string& dir) {
  std::error_code ec;  // a missing dir fails the probe, then the open
  std::filesystem::create_directories(dir, ec);
  std::string probe = dir + "/.direct-io-probe";
  int fd =
      ::open(probe.c_str(), O_WRONLY | O_CREAT | O_DIRECT | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
  ::unlink(probe.c_str());
  return fd >= 0;
}

// The smallest key greater than every key starting with `prefix`.
std::string PrefixSuccessor(std::string prefix) {
  while (!prefix.empty() && static_cast<uint8_t>(prefix.back()) == 0xff) {
    prefix.pop_back();
  }
  if (!prefix.empty()) prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

// Keeps a pinned RocksDB value and its decoding alive for a ChunkData.
struct PinnedChunk {
  rocksdb::PinnableSlice value;
  std::optional<DecodedChunk> decoded;
};

// kDataLoss when `dir` holds files but no RocksDB CURRENT file: RocksDB's
// create_if_missing would start an empty drive over whatever is left of
// the old one. Only lock, log and probe files may be there without it.
absl::Status CheckNotDamaged(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir + "/CURRENT", ec)) return absl::OkStatus();
  std::filesystem::directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name == "LOCK" || name.starts_with("LOG") ||
        name == ".direct-io-probe") {
      continue;
    }
    return absl::DataLossError(absl::StrCat(
        "drive directory ", dir, " holds ", name,
        " but no RocksDB CURRENT file: its database is damaged. Not "
        "formatting over it; to put a replaced disk in service, give the "
        "drive an empty directory and restart the node"));
  }
  return absl::OkStatus();  // missing or empty: a new drive
}

}  // namespace

ChunkStore::ChunkStore(ChunkStoreOptions options)
    : options_(std::move(options)) {}

ChunkStore::~ChunkStore() {
  if (db_) {
    // Nothing acknowledged depends on this flush; it only shortens the next
    // open by leaving no memtable to lose.
    if (options_.durability != DurabilityMode::kWal) {
      db_->Flush(rocksdb::FlushOptions()).PermitUncheckedError();
    }
    db_->Close().PermitUncheckedError();
  }
}

absl::StatusOr<std::unique_ptr<ChunkStore>> ChunkStore::Open(
    ChunkStoreOptions options) {
  if (options.path.empty()) {
    return absl::InvalidArgumentError("drive path is empty");
  }
  if (options.pg_count == 0 || options.pg_count > kMaxPgCount) {
    return absl::InvalidArgumentError(
        absl::StrCat("pg_count must be 1..", kMaxPgCount));
  }
  if (options.env == nullptr) options.env = Env::Default();
  std::unique_ptr<ChunkStore> store(new ChunkStore(std::move(options)));
  DRIVE_RETURN_IF_ERROR(store->OpenDb());
  DRIVE_RETURN_IF_ERROR(store->LoadUsage());
  return store;
}

absl::Status ChunkStore::OpenDb() {
  if (options_.rocksdb_env == nullptr) {
    DRIVE_RETURN_IF_ERROR(CheckNotDamaged(options_.path));
  }
  rocksdb::Options o;
  o.create_if_missing = true;
  if (options_.rocksdb_env != nullptr) o.env = options_.rocksdb_env;
  // Integrated BlobDB: large values are written once to blob files at flush
  // and never rewritten by LSM compaction; only the small blob index moves.
  o.enable_blob_files = true;
  o.min_blob_size = options_.min_blob_size;
  o.blob_file_size = options_.blob_file_size;
  o.blob_compression_type = rocksdb::kNoCompression;  // the codec decides
  // No age-based blob GC: it relocates every live blob of the oldest blob
  // files whenever compaction touches them, which rewrote each chunk ~2x
  // more in the benchmark. Chunks are immutable and deleted rarely (by GC
  // of unreferenced chunks); blob files whose chunks are all deleted are
  // dropped by RocksDB without rewriting anything.
  o.enable_blob_garbage_collection = false;
  o.compression = rocksdb::kNoCompression;
  o.write_buffer_size = options_.write_buffer_size;
  o.max_write_buffer_number = 3;
  o.max_background_jobs = 2;
  o.keep_log_file_num = 3;
  o.max_log_file_size = 16 << 20;
  o.use_direct_io_for_flush_and_compaction =
      options_.direct_writes && SupportsDirectIo(options_.path);
  rocksdb::BlockBasedTableOptions t;
  // XXH3 block checksums: Debian's RocksDB has no hardware CRC32C.
  t.checksum = rocksdb::kXXH3;
  t.block_cache = rocksdb::NewLRUCache(options_.block_cache_bytes);
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));

  rocksdb::DB* raw = nullptr;
  DRIVE_RETURN_IF_ERROR(FromRocksDb(rocksdb::DB::Open(o, options_.path, &raw),
                                    "opening drive " + options_.path));
  db_.reset(raw);
  group_flush_ = std::make_unique<GroupFlush>([this] {
    rocksdb::FlushOptions fo;
    fo.wait = true;
    fo.allow_write_stall = true;
    return FromRocksDb(db_->Flush(fo), "flushing drive " + options_.path);
  });

  std::string stored;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), kMetaPgCountKey, &stored);
  if (s.IsNotFound()) {
    rocksdb::WriteOptions wo;
    wo.sync = true;  // the drive's identity must survive a crash
    return FromRocksDb(
        db_->Put(wo, kMetaPgCountKey, absl::StrCat(options_.pg_count)),
        "recording pg_count");
  }
  DRIVE_RETURN_IF_ERROR(FromRocksDb(s, "reading pg_count"));
  uint32_t recorded = 0;
  if (!absl::SimpleAtoi(stored, &recorded)) {
    return absl::DataLossError("drive's recorded pg_count is unreadable");
  }
  if (recorded != options_.pg_count) {
    return absl::FailedPreconditionError(
        absl::StrCat("drive ", options_.path, " was created with pg_count ",
                     recorded, ", configured ", options_.pg_count));
  }
  return absl::OkStatus();
}

absl::Status ChunkStore::LoadUsage() {
  std::vector<PgDigest> digests(options_.pg_count);
  std::string cursor;
  do {
    DRIVE_ASSIGN_OR_RETURN(IndexPage page,
                           ScanIndex(cursor, std::nullopt, 4096));
    for (const auto& c : page.chunks) {
      if (c.pg >= options_.pg_count) {
        return absl::DataLossError(
            absl::StrCat("chunk ", c.id.ToHex(), " is filed under PG ", c.pg));
      }
      chunks_ += 1;
      logical_bytes_ += c.entry.raw_length;
      stored_bytes_ += c.entry.stored_length;
      digests[c.pg].Add(c.account, c.id, c.entry.raw_length);
    }
    cursor = std::move(page.next);
  } while (!cursor.empty());
  {
    absl::MutexLock lock(&digest_mu_);
    digests_ = std::move(digests);
  }
  rocksdb::ReadOptions ro;
  std::string upper(1, kQuarantineTag + 1);
  rocksdb::Slice upper_slice(upper);
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  for (it->Seek(std::string(1, kQuarantineTag)); it->Valid(); it->Next()) {
    ++quarantined_;
  }
  return FromRocksDb(it->status(), "scanning quarantine records");
}

absl::Mutex& ChunkStore::StripeFor(const ChunkId& id) {
  return stripes_[static_cast<uint8_t>(id.bytes()[15]) % stripes_.size()];
}

absl::Status ChunkStore::CheckReserve(uint64_t incoming_bytes) {
  DRIVE_ASSIGN_OR_RETURN(DiskSpace space,
                         options_.env->GetDiskSpace(options_.path));
  if (space.free_bytes < options_.reserve_bytes + incoming_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "drive ", options_.path, " has ", space.free_bytes,
        " bytes free; writes stop at the reserve of ", options_.reserve_bytes));
  }
  return absl::OkStatus();
}

bool ChunkStore::UsesWal(size_t value_bytes) const {
  switch (options_.durability) {
    case DurabilityMode::kWal:
      return true;
    case DurabilityMode::kFlush:
      return false;
    case DurabilityMode::kAuto:
      return value_bytes < options_.flush_min_bytes;
  }
  return true;
}

absl::Status ChunkStore::WaitForFlush() {
  // Only writes made without the WAL need this; a flush that began after
  // our write (or our sighting of another's) became visible covers it.
  if (options_.durability == DurabilityMode::kWal) return absl::OkStatus();
  return group_flush_->WaitDurable(group_flush_->TakeTicket());
}

absl::StatusOr<PutResult> ChunkStore::Put(std::string_view account,
                                          const ChunkId& id,
                                          std::string_view raw) {
  return PutImpl(account, id, raw, /*durable=*/true);
}

absl::StatusOr<PutResult> ChunkStore::PutUnsynced(std::string_view account,
                                                  const ChunkId& id,
                                                  std::string_view raw) {
  return PutImpl(account, id, raw, /*durable=*/false);
}

absl::Status ChunkStore::Sync() {
  // PutUnsynced's WAL writes were not synced; its no-WAL writes (and a
  // sighting of another writer's) need a flush that starts after them.
  DRIVE_RETURN_IF_ERROR(FromRocksDb(db_->SyncWAL(), "syncing the WAL"));
  return WaitForFlush();
}

absl::StatusOr<PutResult> ChunkStore::PutImpl(std::string_view account,
                                              const ChunkId& id,
                                              std::string_view raw,
                                              bool durable) {
  DRIVE_RETURN_IF_ERROR(ValidateAccountName(account));
  if (raw.size() > kMaxChunkBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "chunk of ", raw.size(), " bytes exceeds ", kMaxChunkBytes));
  }
  ChunkId actual = ChunkId::Of(raw);
  if (actual != id) {
    return absl::DataLossError(absl::StrCat(
        "chunk bytes hash to ", actual.ToHex(), ", not to ", id.ToHex()));
  }
  DRIVE_ASSIGN_OR_RETURN(std::string value, EncodeChunk(raw, options_.codec));
  uint32_t pg = PgOf(account, id, options_.pg_count);
  std::string index_key = ChunkKey(kChunkIndexTag, pg, account, id);

  PutResult result;
  bool via_wal = UsesWal(value.size());
  {
    absl::MutexLock lock(&StripeFor(id));
    std::string existing;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), index_key, &existing);
    if (s.ok()) {
      DRIVE_ASSIGN_OR_RETURN(ChunkIndexEntry e, DecodeIndexEntry(existing));
      result.already_present = true;
      result.stored_bytes = e.stored_length;
    } else if (!s.IsNotFound()) {
      return FromRocksDb(s, "looking up chunk " + id.ToHex());
    } else {
      DRIVE_RETURN_IF_ERROR(CheckReserve(value.size()));
      ChunkIndexEntry entry;
      entry.raw_length = static_cast<uint32_t>(raw.size());
      entry.stored_length = static_cast<uint32_t>(value.size());
      entry.stored_at_unix_s = absl::ToUnixSeconds(options_.env->Now());
      // Value and index entry land in one batch: a crash leaves both or
      // neither.
      rocksdb::WriteBatch batch;
      batch.Put(ChunkKey(kChunkValueTag, pg, account, id), value);
      batch.Put(index_key, EncodeIndexEntry(entry));
      rocksdb::WriteOptions wo;
      if (via_wal) {
        // Put: acknowledged => in the fsynced WAL. PutUnsynced: Sync()
        // syncs it before the caller acknowledges.
        wo.sync = durable;
      } else {
        wo.disableWAL = true;  // acknowledged => in a fsynced flush (below)
      }
      DRIVE_RETURN_IF_ERROR(
          FromRocksDb(db_->Write(wo, &batch), "writing chunk " + id.ToHex()));
      chunks_ += 1;
      logical_bytes_ += entry.raw_length;
      stored_bytes_ += entry.stored_length;
      {
        absl::MutexLock dl(&digest_mu_);
        digests_[pg].Add(account, id, entry.raw_length);
      }
      result.stored_bytes = entry.stored_length;
    }
  }
  // An already-present chunk waits too: its first writer may have skipped
  // the WAL and not be durable yet, and we must not acknowledge before that.
  if (durable && (result.already_present || !via_wal)) {
    DRIVE_RETURN_IF_ERROR(WaitForFlush());
  }
  return result;
}

absl::StatusOr<ChunkData> ChunkStore::Get(std::string_view account,
                                          const ChunkId& id, uint64_t offset,
                                          uint64_t length) {
  DRIVE_RETURN_IF_ERROR(ValidateAccountName(account));
  uint32_t pg = PgOf(account, id, options_.pg_count);
  auto pinned = std::make_shared<PinnedChunk>();
  rocksdb::Status s =
      db_->Get(ChunkReadOptions(), db_->DefaultColumnFamily(),
               ChunkKey(kChunkValueTag, pg, account, id), &pinned->value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("chunk ", id.ToHex(),
                                            " of account ", Sv(account),
                                            " is not on this drive"));
  }
  if (!s.ok()) {
    absl::Status st = FromRocksDb(s, "reading chunk " + id.ToHex());
    if (st.code() == absl::StatusCode::kDataLoss) ++checksum_failures_;
    return st;
  }
  auto decoded = DecodeChunk(pinned->value.ToStringView());
  if (!decoded.ok()) {
    ++checksum_failures_;
    return Annotate(decoded.status(), "chunk ", id.ToHex(), " on drive ",
                    options_.path);
  }
  ChunkId actual = ChunkId::Of(decoded->raw());
  if (actual != id) {
    ++checksum_failures_;
    return absl::DataLossError(
        absl::StrCat("chunk ", id.ToHex(), " on drive ", options_.path,
                     " is corrupt: its bytes hash to ", actual.ToHex()));
  }
  std::string_view raw = decoded->raw();
  if (offset > raw.size()) {
    return absl::InvalidArgumentError(absl::StrCat("offset ", offset,
                                                   " is past the end of a ",
                                                   raw.size(), "-byte chunk"));
  }
  uint64_t available = raw.size() - offset;
  uint64_t n = (length == 0 || length > available) ? available : length;
  uint32_t chunk_length = static_cast<uint32_t>(raw.size());
  // Take the range from the emplaced copy: a decompressed chunk owns its
  // bytes, so views into `decoded` die with it.
  pinned->decoded.emplace(std::move(*decoded));
  std::string_view range = pinned->decoded->raw().substr(offset, n);
  return ChunkData(std::move(pinned), range, chunk_length);
}

absl::StatusOr<std::vector<bool>> ChunkStore::Has(
    std::string_view account, const std::vector<ChunkId>& ids) {
  DRIVE_RETURN_IF_ERROR(ValidateAccountName(account));
  std::vector<std::string> keys;
  keys.reserve(ids.size());
  for (const auto& id : ids) {
    keys.push_back(ChunkKey(kChunkIndexTag,
                            PgOf(account, id, options_.pg_count), account, id));
  }
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<std::string> values;
  std::vector<rocksdb::Status> statuses =
      db_->MultiGet(rocksdb::ReadOptions(), slices, &values);
  std::vector<bool> present(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (statuses[i].ok()) {
      present[i] = true;
    } else if (!statuses[i].IsNotFound()) {
      return FromRocksDb(statuses[i], "looking up chunk " + ids[i].ToHex());
    }
  }
  return present;
}

absl::StatusOr<uint64_t> ChunkStore::Delete(std::string_view account,
                                            const std::vector<ChunkId>& ids,
                                            int64_t stored_before_unix_s) {
  DRIVE_RETURN_IF_ERROR(ValidateAccountName(account));
  uint64_t deleted = 0;
  for (const auto& id : ids) {
    uint32_t pg = PgOf(account, id, options_.pg_count);
    std::string index_key = ChunkKey(kChunkIndexTag, pg, account, id);
    absl::MutexLock lock(&StripeFor(id));
    std::string existing;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), index_key, &existing);
    if (s.IsNotFound()) continue;
    DRIVE_RETURN_IF_ERROR(FromRocksDb(s, "looking up chunk " + id.ToHex()));
    DRIVE_ASSIGN_OR_RETURN(ChunkIndexEntry e, DecodeIndexEntry(existing));
    if (stored_before_unix_s > 0 && e.stored_at_unix_s >= stored_before_unix_s)
      continue;
    rocksdb::WriteBatch batch;
    batch.Delete(ChunkKey(kChunkValueTag, pg, account, id));
    batch.Delete(index_key);
    rocksdb::WriteOptions wo;
    wo.sync = true;  // deletes are small: the synced WAL is the cheap path
    DRIVE_RETURN_IF_ERROR(
        FromRocksDb(db_->Write(wo, &batch), "deleting chunk " + id.ToHex()));
    chunks_ -= 1;
    logical_bytes_ -= e.raw_length;
    stored_bytes_ -= e.stored_length;
    {
      absl::MutexLock dl(&digest_mu_);
      digests_[pg].Remove(account, id, e.raw_length);
    }
    ++deleted;
  }
  return deleted;
}

absl::StatusOr<ChunkListing> ChunkStore::List(std::string_view account,
                                              uint32_t pg,
                                              const ChunkId* start_after,
                                              size_t limit) {
  DRIVE_RETURN_IF_ERROR(ValidateAccountName(account));
  if (pg >= options_.pg_count) {
    return absl::InvalidArgumentError(
        absl::StrCat("pg ", pg, " out of range 0..", options_.pg_count - 1));
  }
  std::string prefix = ChunkKeyPrefix(kChunkIndexTag, pg, account);
  std::string upper = PrefixSuccessor(prefix);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  if (start_after != nullptr) {
    std::string from = ChunkKey(kChunkIndexTag, pg, account, *start_after);
    it->Seek(from);
    if (it->Valid() && it->key() == rocksdb::Slice(from)) it->Next();
  } else {
    it->Seek(prefix);
  }
  ChunkListing listing;
  for (; it->Valid(); it->Next()) {
    if (listing.chunks.size() == limit) {
      listing.more = true;
      break;
    }
    DRIVE_ASSIGN_OR_RETURN(ChunkId id,
                           ChunkIdFromKey(it->key().ToStringView()));
    DRIVE_ASSIGN_OR_RETURN(ChunkIndexEntry e,
                           DecodeIndexEntry(it->value().ToStringView()));
    listing.chunks.push_back({id, e.raw_length, e.stored_length});
  }
  DRIVE_RETURN_IF_ERROR(FromRocksDb(it->status(), "listing chunks"));
  return listing;
}

absl::StatusOr<DriveUsage> ChunkStore::Usage() {
  DRIVE_ASSIGN_OR_RETURN(DiskSpace space,
                         options_.env->GetDiskSpace(options_.path));
  DriveUsage u;
  u.chunks = chunks_;
  u.logical_bytes = logical_bytes_;
  u.stored_bytes = stored_bytes_;
  u.free_bytes = space.free_bytes;
  u.capacity_bytes = space.capacity_bytes;
  u.reserve_bytes = options_.reserve_bytes;
  u.checksum_failures = checksum_failures_;
  u.quarantined = quarantined_;
  return u;
}

absl::StatusOr<IndexPage> ChunkStore::ScanIndex(std::string_view cursor,
                                                std::optional<uint32_t> pg,
                                                size_t limit) {
  if (limit == 0) return absl::InvalidArgumentError("scan limit must be > 0");
  std::string prefix =
      pg ? PgKeyPrefix(kChunkIndexTag, *pg) : std::string(1, kChunkIndexTag);
  std::string upper = PrefixSuccessor(prefix);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  // The cursor is the last key returned; resume just after it.
  if (cursor.empty()) {
    it->Seek(prefix);
  } else {
    if (cursor.compare(0, prefix.size(), prefix) != 0) {
      return absl::InvalidArgumentError("scan cursor from another range");
    }
    it->Seek(rocksdb::Slice(cursor.data(), cursor.size()));
    if (it->Valid() && it->key().ToStringView() == cursor) it->Next();
  }
  IndexPage page;
  for (; it->Valid(); it->Next()) {
    if (page.chunks.size() == limit) break;  // page.next is the last key
    DRIVE_ASSIGN_OR_RETURN(ParsedChunkKey k,
                           ParseChunkKey(it->key().ToStringView()));
    DRIVE_ASSIGN_OR_RETURN(ChunkIndexEntry e,
                           DecodeIndexEntry(it->value().ToStringView()));
    page.chunks.push_back({std::move(k.account), k.id, k.pg, e});
    page.next = it->key().ToString();
  }
  DRIVE_RETURN_IF_ERROR(FromRocksDb(it->status(), "scanning chunk index"));
  // A scan that reached the end has no next page.
  if (!it->Valid()) page.next.clear();
  return page;
}

std::string ChunkStore::FoundHash(std::string_view value) {
  auto decoded = DecodeChunk(value);
  return decoded.ok() ? ChunkId::Of(decoded->raw()).ToHex() : "";
}

absl::StatusOr<QuarantineRecord> ChunkStore::Quarantine(
    std::string_view account, const ChunkId& id, std::string_view reason) {
  DRIVE_RETURN_IF_ERROR(ValidateAccountName(account));
  uint32_t pg = PgOf(account, id, options_.pg_count);
  std::string value_key = ChunkKey(kChunkValueTag, pg, account, id);
  std::string index_key = ChunkKey(kChunkIndexTag, pg, account, id);
  absl::MutexLock lock(&StripeFor(id));
  std::string index;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), index_key, &index);
  if (s.IsNotFound()) {
    return absl::NotFoundError("chunk " + id.ToHex() + " is not on the drive");
  }
  DRIVE_RETURN_IF_ERROR(FromRocksDb(s, "looking up chunk " + id.ToHex()));
  DRIVE_ASSIGN_OR_RETURN(ChunkIndexEntry e, DecodeIndexEntry(index));
  QuarantineRecord q;
  q.account = std::string(account);
  q.id = id;
  q.reason = std::string(reason);
  q.at_unix_s = absl::ToUnixSeconds(options_.env->Now());
  q.stored_length = e.stored_length;
  std::string value;
  s = db_->Get(ChunkReadOptions(), value_key, &value);
  if (s.ok()) {
    q.found = FoundHash(value);
    if (q.found == id.ToHex()) {
      return absl::FailedPreconditionError("chunk " + id.ToHex() +
                                           " verifies; not quarantined");
    }
  }  // else unreadable: that is the evidence (reason says how)
  nlohmann::json j = {
      {"account", q.account},     {"id", id.ToHex()},
      {"found", q.found},         {"reason", q.reason},
      {"at_unix_s", q.at_unix_s}, {"stored_length", q.stored_length}};
  rocksdb::WriteBatch batch;
  batch.Delete(value_key);
  batch.Delete(index_key);
  batch.Put(ChunkKey(kQuarantineTag, pg, account, id), j.dump());
  rocksdb::WriteOptions wo;
  wo.sync = true;  // a quarantined copy must stay out of service after a crash
  DRIVE_RETURN_IF_ERROR(
      FromRocksDb(db_->Write(wo, &batch), "quarantining chunk " + id.ToHex()));
  chunks_ -= 1;
  logical_bytes_ -= e.raw_length;
  stored_bytes_ -= e.stored_length;
  ++quarantined_;
  {
    absl::MutexLock dl(&digest_mu_);
    digests_[pg].Remove(account, id, e.raw_length);
  }
  return q;
}

absl::StatusOr<std::vector<QuarantineRecord>> ChunkStore::ListQuarantine(
    size_t limit) {
  std::string prefix(1, kQuarantineTag);
  std::string upper = PrefixSuccessor(prefix);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  std::vector<QuarantineRecord> out;
  for (it->Seek(prefix); it->Valid() && out.size() < limit; it->Next()) {
    auto j = nlohmann::json::parse(it->value().ToStringView(), nullptr, false);
    if (!j.is_object())
      return absl::DataLossError("unreadable quarantine record");
    QuarantineRecord q;
    q.account = j.value("account", "");
    auto id = ChunkId::FromHex(j.value("id", ""));
    if (!id.ok()) return absl::DataLossError("unreadable quarantine record");
    q.id = *id;
    q.found = j.value("found", "");
    q.reason = j.value("reason", "");
    q.at_unix_s = j.value("at_unix_s", int64_t{0});
    q.stored_length = j.value("stored_length", 0u);
    out.push_back(std::move(q));
  }
  DRIVE_RETURN_IF_ERROR(FromRocksDb(it->status(), "listing quarantine"));
  return out;
}

std::vector<PgDigest> ChunkStore::Digests() const {
  absl::MutexLock lock(&digest_mu_);
  return digests_;
}

PgDigest ChunkStore::DigestOf(uint32_t pg) const {
  absl::MutexLock lock(&digest_mu_);
  return pg < digests_.size() ? digests_[pg] : PgDigest{};
}

namespace {
absl::Status CheckMetaKey(std::string_view key) {
  if (key.size() < 3 || key.size() > 200 ||
      (key.substr(0, 2) != "m/" && key.substr(0, 2) != "b/")) {
    return absl::InvalidArgumentError(
        "drive metadata keys start with m/ or b/");
  }
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<std::optional<std::string>> ChunkStore::GetMeta(
    std::string_view key) {
  DRIVE_RETURN_IF_ERROR(CheckMetaKey(key));
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(),
                               rocksdb::Slice(key.data(), key.size()), &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  DRIVE_RETURN_IF_ERROR(FromRocksDb(s, "reading drive metadata"));
  return std::optional<std::string>(std::move(v));
}

absl::Status ChunkStore::PutMeta(std::string_view key, std::string_view value) {
  DRIVE_RETURN_IF_ERROR(CheckMetaKey(key));
  rocksdb::WriteOptions wo;
  wo.sync = true;  // scrub state and backup records must survive a crash
  return FromRocksDb(db_->Put(wo, rocksdb::Slice(key.data(), key.size()),
                              rocksdb::Slice(value.data(), value.size())),
                     "writing drive metadata");
}

absl::Status ChunkStore::DeleteMeta(std::string_view key) {
  DRIVE_RETURN_IF_ERROR(CheckMetaKey(key));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocksDb(db_->Delete(wo, rocksdb::Slice(key.data(), key.size())),
                     "deleting drive metadata");
}

absl::Status ChunkStore::ScanMeta(
    std::string_view prefix,
    const std::function<bool(std::string_view, std::string_view)>& fn) {
  DRIVE_RETURN_IF_ERROR(CheckMetaKey(std::string(prefix) + "x"));
  std::string upper = PrefixSuccessor(std::string(prefix));
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid();
       it->Next()) {
    if (!fn(it->key().ToStringView(), it->value().ToStringView())) break;
  }
  return FromRocksDb(it->status(), "scanning drive metadata");
}

}  // namespace drive::storage
