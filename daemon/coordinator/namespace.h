#pragma once

#include <atomic>
#include <functional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/env.h"
#include "daemon/coordinator/chunk_refs.h"
#include "daemon/coordinator/fenced_meta_store.h"
#include "daemon/coordinator/file_record.h"
#include "daemon/coordinator/meta_store.h"

namespace drive::coordinator {

struct NamespaceOptions {
  // How long a deleted or overwritten file stays restorable. Default: 30 d.
  absl::Duration trash_retention = absl::Hours(24 * 30);
  // Several coordinators on one etcd prefix: the store the elected leader
  // writes through. Namespace writes read, modify and write reference
  // counts under this process's lock, so exactly one coordinator may make
  // them: with a fence set, every write is made as the leader (fenced to
  // its term) and a follower refuses it with kUnavailable, nothing
  // written, which the clients' coordinator lists fail over on. Null (one
  // coordinator, the embedded store): writes are not fenced.
  const FencedMetaStore* leader_fence = nullptr;
};

struct FileListing {
  std::vector<FileRecord> files;  // path order
  std::string next_cursor;        // empty on the last page
};

// Accounts, their tokens, and each account's files and trash, in the
// coordinator's MetaStore. Every mutation is one fsynced batch, so a commit
// of many files is all-or-nothing (CommitEach: each file). Thread-safe:
// mutations are serialized, reads run concurrently.
class Namespace {
 public:
  Namespace(MetaStore* store, Env* env, NamespaceOptions options);

  // Counts files and bytes for status. Call once before serving.
  absl::Status Load();

  // Creates `account` and returns a new bearer token (kept only as a
  // SHA-256 hash). kAlreadyExists unless add_token, which adds a token to
  // an existing account. kInvalidArgument for a bad name.
  absl::StatusOr<std::string> CreateAccount(const std::string& account,
                                            bool add_token);
  // The account a bearer token belongs to; kUnauthenticated if none.
  absl::StatusOr<std::string> AccountForToken(std::string_view token);

  // Commits `files` atomically. Each must have a valid, distinct path,
  // chunks whose sizes add up to its size, and durability already set.
  // With expected_versions (one per file; 0 = must not exist), a mismatch
  // aborts everything with kAborted. An overwritten version goes to trash.
  // Every chunk's reference count rises in the same batch. A chunk with a
  // GC tombstone is accepted only if its deletion completed before
  // `upload_started_ms` (coordinator time before the writer looked for
  // existing copies; 0 = unknown); otherwise kAborted: the writer may have
  // relied on copies that are being deleted, and must upload again.
  //
  // The whole commit is one store write, so it must fit the store's
  // limits() (on etcd: --max-txn-ops keys and --max-request-bytes; about
  // two keys per file plus one per distinct chunk). A larger one is
  // kResourceExhausted, nothing committed, with a message saying how many
  // of the files (in order) would fit in one atomic commit.
  absl::StatusOr<std::vector<FileRecord>> Commit(
      const std::string& account, std::vector<FileRecord> files,
      const std::vector<uint64_t>* expected_versions,
      int64_t upload_started_ms = 0);
  // Commits each file on its own (no expected versions): every file is
  // all-or-nothing, with the reference counts of its chunks in the same
  // write, but the set is not. Files go in as few store writes as limits()
  // allow, in order. Why per file rather than the caller sending smaller
  // sets: only the store knows its limits, and a group refused for one of
  // its files is retried file by file, so a bad file fails alone. One
  // result per file, in order: the committed record, or the error Commit
  // would give for that file alone (kResourceExhausted when it alone is too
  // large). After a store error other than those (e.g. kUnavailable, when
  // a write may or may not have landed) the rest fail with it untried.
  std::vector<absl::StatusOr<FileRecord>> CommitEach(
      const std::string& account, std::vector<FileRecord> files,
      int64_t upload_started_ms = 0);

  absl::StatusOr<FileRecord> Stat(const std::string& account,
                                  const std::string& path);
  // Up to `limit` files whose path starts with `prefix`, after `cursor`.
  absl::StatusOr<FileListing> List(const std::string& account,
                                   const std::string& prefix,
                                   const std::string& cursor, size_t limit);
  // Renames; kAlreadyExists if `to` exists and !overwrite (with overwrite,
  // the replaced file goes to trash). kNotFound if `from` does not exist.
  absl::StatusOr<FileRecord> Move(const std::string& account,
                                  const std::string& from,
                                  const std::string& to, bool overwrite);
  // Moves the file to trash. kNotFound if absent.
  absl::StatusOr<TrashRecord> Delete(const std::string& account,
                                     const std::string& path);
  absl::StatusOr<std::vector<TrashRecord>> ListTrash(const std::string& account,
                                                     const std::string& prefix);
  // Restores a trash entry (by id, or the newest one of an original path)
  // to its path or `to_path`. kAlreadyExists if that path is taken.
  absl::StatusOr<FileRecord> Restore(const std::string& account,
                                     const std::string& id_or_path,
                                     const std::string& to_path);

  // --- garbage collection (docs/formats/coordinator-keys.md) ---
  // These write in parts of at most KeysPerWrite() keys (on etcd,
  // --max-txn-ops); each item's keys stay in one write.
  // Deletes trash entries whose retention passed at now_ms (or, dry_run,
  // only counts them), lowering their chunks' reference counts. Returns
  // how many expired.
  absl::StatusOr<uint64_t> ExpireTrash(int64_t now_ms, bool dry_run);
  // The chunk's reference state; no lock (a consistent point read).
  absl::StatusOr<RefState> Refs(const std::string& account, const ChunkId& id);
  // Every chunk some file version references, until `fn` returns false;
  // no lock (a consistent snapshot of the index).
  absl::Status ScanReferenced(
      const std::function<bool(const std::string&, const ChunkId&)>& fn) {
    return refs_.ScanReferenced(fn);
  }
  // Changes whenever the set of referenced chunks may have changed (after
  // every write to the store).
  uint64_t refs_generation() const { return store_->writes(); }
  // Files and trash entries using any of `chunks` (account, id): up to
  // `limit` of them as "account/path" (" (in trash)" appended for trash
  // entries), in key order; *total counts them all. No lock.
  absl::StatusOr<std::vector<std::string>> FilesUsing(
      const std::set<std::pair<std::string, ChunkId>>& chunks, size_t limit,
      uint64_t* total);
  // Condemns the chunks still unreferenced, atomically with respect to
  // commits: each gets a tombstone at now_ms and loses its reference entry.
  // Returns those condemned (a chunk referenced meanwhile is skipped).
  absl::StatusOr<std::vector<std::pair<std::string, ChunkId>>> Condemn(
      const std::vector<std::pair<std::string, ChunkId>>& chunks,
      int64_t now_ms);
  // Marks condemned chunks' deletion as complete at now_ms.
  absl::Status CompleteTombstones(
      const std::vector<std::pair<std::string, ChunkId>>& chunks,
      int64_t now_ms);
  struct TombstoneEntry {
    std::string account;
    ChunkId id;
    Tombstone tombstone;
  };
  absl::StatusOr<std::vector<TombstoneEntry>> ListTombstones();
  // Erases tombstones whose deletion completed before cutoff_ms. Commits
  // that started before then are refused for their age instead.
  absl::StatusOr<uint64_t> EraseTombstones(int64_t cutoff_ms);
  // Earliest upload start a commit may carry: older uploads might rely on
  // copies whose tombstones were already erased.
  int64_t oldest_upload_ms() const { return oldest_upload_ms_.load(); }

  // Deletes a file without keeping it in the trash (internal files such as
  // metadata backups); kNotFound if absent.
  absl::Status Remove(const std::string& account, const std::string& path);
  // Every account, in name order.
  absl::StatusOr<std::vector<std::string>> ListAccounts();

  uint64_t file_count() const { return files_.load(); }
  uint64_t logical_bytes() const { return bytes_.load(); }

 private:
  absl::Status CheckAccount(const std::string& account);
  absl::StatusOr<std::optional<FileRecord>> Find(const std::string& account,
                                                 const std::string& path);
  // Refuses (kAborted) a commit relying on chunks GC condemned after the
  // upload started; clears the tombstones of chunks it revives.
  absl::Status CheckTombstones(const std::string& account,
                               std::span<const FileRecord> files,
                               int64_t upload_started_ms, MetaBatch* batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Keys a maintenance write (trash expiry, tombstones) carries at most:
  // the store's max_ops, else 1000.
  size_t KeysPerWrite() const {
    int max = store_->limits().max_ops;
    return max > 0 ? static_cast<size_t>(max) : 1000;
  }
  // What a commit changes in file_count() and logical_bytes().
  struct CommitDelta {
    int64_t files = 0;
    int64_t bytes = 0;
  };
  // Adds the writes committing `files` to `batch` (file records, trash
  // entries of overwritten versions, tombstones cleared, reference counts)
  // and sets their version and commit time; adds to *delta. Reads only.
  // expected_versions: nullptr, or one per file (kAborted on a mismatch).
  absl::Status PrepareCommit(const std::string& account,
                             std::span<FileRecord> files,
                             const uint64_t* expected_versions,
                             int64_t upload_started_ms, int64_t now,
                             MetaBatch* batch, CommitDelta* delta)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // The kResourceExhausted for an atomic commit of `files` that the store
  // refused with `refusal`: how many of them (a prefix) fit in one write.
  // `refusal` itself when the store's own check finds no limit broken.
  absl::Status TooLargeForOneWrite(const std::string& account,
                                   std::span<const FileRecord> files,
                                   int64_t upload_started_ms, int64_t now,
                                   const absl::Status& refusal)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // store_->Write(batch), as the leader when options_.leader_fence is set
  // (kUnavailable on a follower, nothing written).
  absl::Status Write(const MetaBatch& batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Adds a trash entry for `file` to `batch`.
  TrashRecord Trash(const std::string& account, const FileRecord& file,
                    MetaBatch* batch);

  MetaStore* store_;
  Env* env_;
  NamespaceOptions options_;
  absl::Mutex write_mu_;  // serializes read-check-write of mutations
  ChunkRefs refs_;        // staged under write_mu_
  std::atomic<int64_t> oldest_upload_ms_{0};
  std::atomic<uint64_t> files_{0};
  std::atomic<uint64_t> bytes_{0};
};

}  // namespace drive::coordinator
