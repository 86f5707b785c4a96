#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/env.h"
#include "daemon/coordinator/file_record.h"
#include "daemon/coordinator/meta_store.h"

namespace drive::coordinator {

struct NamespaceOptions {
  // How long a deleted or overwritten file stays restorable. Default: 30 d.
  absl::Duration trash_retention = absl::Hours(24 * 30);
};

struct FileListing {
  std::vector<FileRecord> files;  // path order
  std::string next_cursor;        // empty on the last page
};

// Accounts, their tokens, and each account's files and trash, in the
// coordinator's MetaStore. Every mutation is one fsynced batch, so a commit
// of many files is all-or-nothing. Thread-safe: mutations are serialized,
// reads run concurrently.
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
  absl::StatusOr<std::vector<FileRecord>> Commit(
      const std::string& account, std::vector<FileRecord> files,
      const std::vector<uint64_t>* expected_versions);

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

  uint64_t file_count() const { return files_.load(); }
  uint64_t logical_bytes() const { return bytes_.load(); }

 private:
  absl::Status CheckAccount(const std::string& account);
  absl::StatusOr<std::optional<FileRecord>> Find(const std::string& account,
                                                 const std::string& path);
  // Adds a trash entry for `file` to `batch`.
  TrashRecord Trash(const std::string& account, const FileRecord& file,
                    MetaBatch* batch);

  MetaStore* store_;
  Env* env_;
  NamespaceOptions options_;
  absl::Mutex write_mu_;  // serializes read-check-write of mutations
  std::atomic<uint64_t> files_{0};
  std::atomic<uint64_t> bytes_{0};
};

}  // namespace drive::coordinator
