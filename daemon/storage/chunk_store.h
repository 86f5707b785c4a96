#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/chunk_codec.h"
#include "common/chunk_id.h"
#include "common/env.h"
#include "common/pg_digest.h"
#include "common/placement_group.h"
#include "daemon/storage/chunk_key.h"

namespace rocksdb {
class DB;
class Env;
}  // namespace rocksdb

namespace drive::storage {

class GroupFlush;

// How a Put is made durable before it returns OK.
enum class DurabilityMode {
  // kWal below flush_min_bytes (a synced WAL append costs ~0.3 ms, a flush
  // several fsyncs), kFlush above (every byte written once).
  kAuto,
  // Write without WAL; group-commit writers into one memtable flush that
  // fsyncs SST + blob file + MANIFEST. Every byte is written once.
  kFlush,
  // Write with a synced WAL (RocksDB batches concurrent syncers). Every
  // byte is written twice: WAL, then blob file at flush.
  kWal,
};

struct ChunkStoreOptions {
  // Directory of the drive's RocksDB instance; created if missing.
  std::string path;
  // Placement groups in the cluster, 1..65536. Recorded on first open; a
  // later open with another value fails with kFailedPrecondition.
  // Default: 1024.
  uint32_t pg_count = kDefaultPgCount;
  // Writes are refused with kResourceExhausted while the filesystem's free
  // bytes minus the value to write would fall below this. Default: 1 GiB.
  uint64_t reserve_bytes = 1ull << 30;
  // See DurabilityMode. Default: kAuto (bench/README.md compares them).
  DurabilityMode durability = DurabilityMode::kAuto;
  // In kAuto, stored values at least this large skip the WAL and wait for a
  // group flush; smaller ones use the synced WAL. Default: 1 MiB.
  uint64_t flush_min_bytes = 1 << 20;
  // Values at least this large go to blob files; smaller ones stay inline in
  // SSTs, where one read fetches them without a second file access.
  // Default: 32 KiB.
  uint64_t min_blob_size = 32 * 1024;
  // Target size of a blob file written by compaction. Default: 256 MiB.
  uint64_t blob_file_size = 256ull << 20;
  // Memtable size, bytes; bounds memory per drive (x max_write_buffers).
  // Default: 64 MiB.
  uint64_t write_buffer_size = 64ull << 20;
  // Block cache for SST blocks (index entries and small chunks), bytes.
  // Default: 32 MiB.
  uint64_t block_cache_bytes = 32ull << 20;
  // Write flushed SST and blob files with O_DIRECT (ignored where the
  // filesystem refuses it). Buffered writes spend ~40% of the node's put
  // CPU copying chunk bytes into the page cache (perf); direct writes cut
  // node CPU per MiB by ~15% but, written synchronously, lowered 4 MiB x 8
  // put throughput from ~200 to ~90-130 MiB/s here. Default: false.
  bool direct_writes = false;
  // Codec choice for stored values.
  ChunkCodecOptions codec;
  // Seam for free-space queries; not owned; must outlive the store.
  // Default: Env::Default().
  Env* env = nullptr;
  // RocksDB's own Env (tests may pass an in-memory one); not owned.
  // Default: rocksdb::Env::Default().
  rocksdb::Env* rocksdb_env = nullptr;
};

// A requested byte range of a verified chunk; keeps the underlying buffer
// alive. Movable.
class ChunkData {
 public:
  ChunkData(std::shared_ptr<void> keepalive, std::string_view bytes,
            uint32_t chunk_length)
      : keepalive_(std::move(keepalive)),
        bytes_(bytes),
        chunk_length_(chunk_length) {}
  // The bytes of the requested range.
  std::string_view bytes() const { return bytes_; }
  // Length of the whole chunk.
  uint32_t chunk_length() const { return chunk_length_; }

 private:
  std::shared_ptr<void> keepalive_;
  std::string_view bytes_;
  uint32_t chunk_length_;
};

struct PutResult {
  bool already_present = false;
  uint32_t stored_bytes = 0;
};

struct ChunkListing {
  struct Entry {
    ChunkId id;
    uint32_t raw_length = 0;
    uint32_t stored_length = 0;
  };
  std::vector<Entry> chunks;  // ascending id order
  bool more = false;          // true when a later page exists
};

// One chunk copy as a scan of the index finds it.
struct IndexedChunk {
  std::string account;
  ChunkId id;
  uint32_t pg = 0;
  ChunkIndexEntry entry;
};

// A page of an index scan; `next` resumes it (empty: the scan is complete).
struct IndexPage {
  std::vector<IndexedChunk> chunks;
  std::string next;
};

// Evidence kept for a copy that failed verification
// (docs/formats/drive-keys.md).
struct QuarantineRecord {
  std::string account;
  ChunkId id;             // the id the bytes should hash to
  std::string found;      // hex XXH3-128 the bytes hashed to, or "" when
                          // the value could not even be decoded
  std::string reason;     // the read error, e.g. "DATA_LOSS: ..."
  int64_t at_unix_s = 0;  // when it was quarantined
  uint32_t stored_length = 0;
};

struct DriveUsage {
  uint64_t chunks = 0;
  uint64_t logical_bytes = 0;
  uint64_t stored_bytes = 0;
  uint64_t free_bytes = 0;
  uint64_t capacity_bytes = 0;
  uint64_t reserve_bytes = 0;
  uint64_t checksum_failures = 0;
  uint64_t quarantined = 0;
};

// One drive: a RocksDB instance with integrated BlobDB holding the
// content-addressed chunks of many accounts. Every read is verified against
// the chunk id. Thread-safe; methods block on disk I/O.
class ChunkStore {
 public:
  // Opens the drive at options.path, creating it only in a missing or
  // empty directory (a new or replaced disk). Errors: kInvalidArgument for
  // bad options, kFailedPrecondition when the drive was created with
  // another pg_count, kDataLoss when the directory holds files but no
  // RocksDB CURRENT file (damaged: never formatted over), or the RocksDB
  // open error.
  static absl::StatusOr<std::unique_ptr<ChunkStore>> Open(
      ChunkStoreOptions options);
  // Flushes and closes the DB; acknowledged writes are already durable.
  ~ChunkStore();

  // Stores `raw` as chunk `id` of `account`. Verifies id == XXH3-128(raw)
  // first (kDataLoss on mismatch, nothing stored). Idempotent: a chunk
  // already present is not rewritten. Returns once the chunk is durable.
  // Errors: kInvalidArgument (bad account, over 4 MiB), kDataLoss,
  // kResourceExhausted (below the free-space reserve), kUnavailable (I/O).
  absl::StatusOr<PutResult> Put(std::string_view account, const ChunkId& id,
                                std::string_view raw);
  // Put for a batch whose acknowledgement waits for Sync: stores and
  // verifies like Put but returns once the chunk is visible, not durable
  // (no WAL sync, no flush wait). Many chunks then share one flush, which
  // is what lets a repair pull write at disk speed instead of one flush
  // round per chunk. Nothing may be acknowledged before Sync returns OK.
  absl::StatusOr<PutResult> PutUnsynced(std::string_view account,
                                        const ChunkId& id,
                                        std::string_view raw);
  // Makes every write that returned before this call durable (PutUnsynced
  // included): syncs the WAL, then waits for a group flush.
  absl::Status Sync();

  // Reads bytes [offset, offset + length) of the chunk (length 0: to the
  // end; cut at the end). The whole chunk is verified against its id before
  // anything is returned. Errors: kNotFound, kInvalidArgument (offset past
  // the end), kDataLoss (stored bytes do not match the id; counted).
  absl::StatusOr<ChunkData> Get(std::string_view account, const ChunkId& id,
                                uint64_t offset = 0, uint64_t length = 0);

  // present[i] tells whether ids[i] is held. Reads only index entries.
  absl::StatusOr<std::vector<bool>> Has(std::string_view account,
                                        const std::vector<ChunkId>& ids);

  // Deletes the chunks that are present; returns how many were. With
  // stored_before_unix_s > 0, only copies stored before that time are
  // deleted (garbage collection: a copy a new upload wrote after the chunk
  // was condemned survives a late delete). Durable when it returns.
  absl::StatusOr<uint64_t> Delete(std::string_view account,
                                  const std::vector<ChunkId>& ids,
                                  int64_t stored_before_unix_s = 0);

  // Index entries of all accounts in key order (PG, account, id), after
  // `cursor` (a previous page's `next`; empty: from the start), only of
  // `pg` if set. Reads no chunk data.
  absl::StatusOr<IndexPage> ScanIndex(std::string_view cursor,
                                      std::optional<uint32_t> pg, size_t limit);

  // Takes a copy that fails verification out of service: in one synced
  // batch its value and index entry are removed (so it is never served
  // again and anti-entropy sees it missing) and a QuarantineRecord with the
  // evidence is written. Re-checks the copy under the chunk's lock first:
  // kFailedPrecondition if it verifies after all, kNotFound if absent.
  absl::StatusOr<QuarantineRecord> Quarantine(std::string_view account,
                                              const ChunkId& id,
                                              std::string_view reason);
  // Up to `limit` quarantine records, in key order.
  absl::StatusOr<std::vector<QuarantineRecord>> ListQuarantine(size_t limit);

  // Every PG's digest (index = PG), maintained on every change.
  std::vector<PgDigest> Digests() const;
  PgDigest DigestOf(uint32_t pg) const;

  // Small drive-local records under "m/" (scrub state) or "b/" (metadata
  // backup records): read, write (synced WAL: durable on return), delete,
  // and scan a prefix in key order until fn returns false.
  absl::StatusOr<std::optional<std::string>> GetMeta(std::string_view key);
  absl::Status PutMeta(std::string_view key, std::string_view value);
  absl::Status DeleteMeta(std::string_view key);
  absl::Status ScanMeta(
      std::string_view prefix,
      const std::function<bool(std::string_view, std::string_view)>& fn);

  // Up to `limit` chunks of (account, pg) with ids greater than
  // `start_after` (nullptr: from the first), ascending.
  absl::StatusOr<ChunkListing> List(std::string_view account, uint32_t pg,
                                    const ChunkId* start_after, size_t limit);

  // Usage counters and the filesystem's free space.
  absl::StatusOr<DriveUsage> Usage();

  uint32_t pg_count() const { return options_.pg_count; }
  const std::string& path() const { return options_.path; }

 private:
  explicit ChunkStore(ChunkStoreOptions options);
  absl::Status OpenDb();
  absl::Status LoadUsage();
  absl::Status CheckReserve(uint64_t incoming_bytes);
  bool UsesWal(size_t value_bytes) const;
  absl::StatusOr<PutResult> PutImpl(std::string_view account, const ChunkId& id,
                                    std::string_view raw, bool durable);
  absl::Status WaitForFlush();
  absl::Mutex& StripeFor(const ChunkId& id);
  // Decodes and hashes a stored value; the hex hash it has, "" if unreadable.
  static std::string FoundHash(std::string_view value);

  ChunkStoreOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::unique_ptr<GroupFlush> group_flush_;
  // Serializes check-then-write of the same chunk so that concurrent
  // identical puts and deletes keep the usage counters exact.
  std::array<absl::Mutex, 64> stripes_;
  std::atomic<uint64_t> chunks_{0};
  std::atomic<uint64_t> logical_bytes_{0};
  std::atomic<uint64_t> stored_bytes_{0};
  std::atomic<uint64_t> checksum_failures_{0};
  std::atomic<uint64_t> quarantined_{0};
  mutable absl::Mutex digest_mu_;
  std::vector<PgDigest> digests_ ABSL_GUARDED_BY(digest_mu_);  // by PG
};

}  // namespace drive::storage
