#pragma once

// A rocksdb::FileSystem for durability tests: it passes everything to the
// real filesystem, remembers how many bytes of each file written through it
// were synced, and can fail syncs and simulate a power loss.
//
// The power-loss model: file contents written but not yet synced (Sync or
// Fsync of the file) are lost; file creation, renames and deletions are
// durable at once. Real filesystems can also lose a new or renamed file
// until its directory is synced; RocksDB syncs directories after such
// changes, so this model is the stricter half that chunk-store tests need.
//
// Typical use:
//   FaultInjectionFs fs;  ChunkStoreOptions o;  o.rocksdb_env = fs.env();
//   ... Put, acknowledged ...
//   fs.Crash();            // the machine is off: every later write fails
//   store.reset();         // nothing more reaches the disk
//   fs.DropUnsyncedData(); // what a power loss leaves behind
//   reopen with a fresh FaultInjectionFs (or the default env) and check.
//
// Thread-safe.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace drive::testing {

class FaultInjectionFs : public rocksdb::FileSystemWrapper {
 public:
  FaultInjectionFs();
  ~FaultInjectionFs() override;

  const char* Name() const override { return "DriveFaultInjectionFs"; }

  // An Env whose file system is this one, for rocksdb::Options::env /
  // ChunkStoreOptions::rocksdb_env. Owned by this object.
  rocksdb::Env* env() { return env_.get(); }

  // The n-th file sync from now (1: the next one; Sync and Fsync both
  // count) fails with an I/O error and syncs nothing. 0 disables.
  void FailNthSync(int n);
  // From now on every write, sync, create, rename and delete fails with an
  // I/O error, as on a machine that lost power: nothing more reaches disk.
  void Crash();
  // Truncates every file written through this file system to the length
  // it had at its last sync (0 if never synced). Call after Crash() and
  // after the DB is closed. Returns the first filesystem error.
  absl::Status DropUnsyncedData();

  // File syncs that succeeded / were failed on purpose.
  int syncs() const;
  int failed_syncs() const;

  rocksdb::IOStatus NewWritableFile(
      const std::string& fname, const rocksdb::FileOptions& file_opts,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(
      const std::string& fname, const rocksdb::FileOptions& file_opts,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(
      const std::string& fname, const std::string& old_fname,
      const rocksdb::FileOptions& file_opts,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src,
                               const std::string& target,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& fname,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;

  // Per-file bookkeeping shared with the open file objects.
  struct FileState {
    uint64_t size = 0;    // bytes written through this file system
    uint64_t synced = 0;  // `size` at the last successful sync
  };

 private:
  class File;
  friend class File;

  // Checks the crash flag and the sync failure countdown for one sync.
  rocksdb::IOStatus BeforeSync(const std::string& fname);
  rocksdb::IOStatus CheckAlive(const std::string& what) const;
  rocksdb::IOStatus Wrap(const std::string& fname, rocksdb::IOStatus s,
                         bool reopened,
                         std::unique_ptr<rocksdb::FSWritableFile>* result);
  void Written(const std::string& fname, uint64_t end_offset);
  void Truncated(const std::string& fname, uint64_t size);
  void Synced(const std::string& fname, uint64_t size);

  std::unique_ptr<rocksdb::Env> env_;
  mutable absl::Mutex mu_;
  std::map<std::string, FileState> files_ ABSL_GUARDED_BY(mu_);
  bool crashed_ ABSL_GUARDED_BY(mu_) = false;
  int fail_sync_countdown_ ABSL_GUARDED_BY(mu_) = 0;
  int syncs_ ABSL_GUARDED_BY(mu_) = 0;
  int failed_syncs_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace drive::testing
