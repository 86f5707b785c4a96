#include "tests/support/fault_injection_fs.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>

namespace drive::testing {

using rocksdb::FileOptions;
using rocksdb::FSWritableFile;
using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

// A writable file that reports its writes, truncations and syncs to the
// file system, and refuses them once the machine has "crashed".
class FaultInjectionFs::File : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  File(FaultInjectionFs* fs, std::string fname,
       std::unique_ptr<FSWritableFile> target, uint64_t start_size)
      : FSWritableFileOwnerWrapper(std::move(target)),
        fs_(fs),
        fname_(std::move(fname)),
        size_(start_size) {}

  IOStatus Append(const Slice& data, const IOOptions& options,
                  IODebugContext* dbg) override {
    IOStatus s = fs_->CheckAlive("append to " + fname_);
    if (s.ok()) s = FSWritableFileOwnerWrapper::Append(data, options, dbg);
    if (s.ok()) Advance(size_ + data.size());
    return s;
  }
  IOStatus Append(const Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo& info,
                  IODebugContext* dbg) override {
    IOStatus s = fs_->CheckAlive("append to " + fname_);
    if (s.ok()) {
      s = FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
    }
    if (s.ok()) Advance(size_ + data.size());
    return s;
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset,
                            const IOOptions& options,
                            IODebugContext* dbg) override {
    IOStatus s = fs_->CheckAlive("append to " + fname_);
    if (s.ok()) {
      s = FSWritableFileOwnerWrapper::PositionedAppend(data, offset, options,
                                                       dbg);
    }
    if (s.ok()) Advance(std::max(size_, offset + data.size()));
    return s;
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset,
                            const IOOptions& options,
                            const rocksdb::DataVerificationInfo& info,
                            IODebugContext* dbg) override {
    IOStatus s = fs_->CheckAlive("append to " + fname_);
    if (s.ok()) {
      s = FSWritableFileOwnerWrapper::PositionedAppend(data, offset, options,
                                                       info, dbg);
    }
    if (s.ok()) Advance(std::max(size_, offset + data.size()));
    return s;
  }
  IOStatus Truncate(uint64_t size, const IOOptions& options,
                    IODebugContext* dbg) override {
    IOStatus s = fs_->CheckAlive("truncate " + fname_);
    if (s.ok()) s = FSWritableFileOwnerWrapper::Truncate(size, options, dbg);
    if (s.ok()) {
      size_ = size;
      fs_->Truncated(fname_, size);
    }
    return s;
  }
  IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
    IOStatus s = fs_->BeforeSync(fname_);
    if (s.ok()) s = FSWritableFileOwnerWrapper::Sync(options, dbg);
    if (s.ok()) fs_->Synced(fname_, size_);
    return s;
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    IOStatus s = fs_->BeforeSync(fname_);
    if (s.ok()) s = FSWritableFileOwnerWrapper::Fsync(options, dbg);
    if (s.ok()) fs_->Synced(fname_, size_);
    return s;
  }
  // A range sync starts write-back but promises nothing: not counted.
  IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const IOOptions& options,
                     IODebugContext* dbg) override {
    IOStatus s = fs_->CheckAlive("range-sync " + fname_);
    if (s.ok()) {
      s = FSWritableFileOwnerWrapper::RangeSync(offset, nbytes, options, dbg);
    }
    return s;
  }

 private:
  void Advance(uint64_t new_size) {
    size_ = new_size;
    fs_->Written(fname_, size_);
  }

  FaultInjectionFs* const fs_;
  const std::string fname_;
  uint64_t size_;  // RocksDB uses one writer per file
};

FaultInjectionFs::FaultInjectionFs()
    : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {
  // The Env refers to this file system without owning it.
  env_ = rocksdb::NewCompositeEnv(
      std::shared_ptr<rocksdb::FileSystem>(this, [](rocksdb::FileSystem*) {}));
}

FaultInjectionFs::~FaultInjectionFs() = default;

void FaultInjectionFs::FailNthSync(int n) {
  absl::MutexLock lock(&mu_);
  fail_sync_countdown_ = n;
}

void FaultInjectionFs::Crash() {
  absl::MutexLock lock(&mu_);
  crashed_ = true;
}

int FaultInjectionFs::syncs() const {
  absl::MutexLock lock(&mu_);
  return syncs_;
}

int FaultInjectionFs::failed_syncs() const {
  absl::MutexLock lock(&mu_);
  return failed_syncs_;
}

absl::Status FaultInjectionFs::DropUnsyncedData() {
  absl::MutexLock lock(&mu_);
  for (const auto& [name, state] : files_) {
    std::error_code ec;
    uintmax_t on_disk = std::filesystem::file_size(name, ec);
    if (ec) continue;  // deleted since
    if (on_disk > state.synced) {
      std::filesystem::resize_file(name, state.synced, ec);
      if (ec) {
        return absl::InternalError("truncating " + name + ": " + ec.message());
      }
    }
  }
  files_.clear();
  return absl::OkStatus();
}

IOStatus FaultInjectionFs::CheckAlive(const std::string& what) const {
  absl::MutexLock lock(&mu_);
  if (crashed_) return IOStatus::IOError("simulated power loss: " + what);
  return IOStatus::OK();
}

IOStatus FaultInjectionFs::BeforeSync(const std::string& fname) {
  absl::MutexLock lock(&mu_);
  if (crashed_) return IOStatus::IOError("simulated power loss: sync " + fname);
  if (fail_sync_countdown_ > 0 && --fail_sync_countdown_ == 0) {
    ++failed_syncs_;
    return IOStatus::IOError("injected sync failure: " + fname);
  }
  return IOStatus::OK();
}

void FaultInjectionFs::Written(const std::string& fname, uint64_t end_offset) {
  absl::MutexLock lock(&mu_);
  files_[fname].size = end_offset;
}

void FaultInjectionFs::Truncated(const std::string& fname, uint64_t size) {
  absl::MutexLock lock(&mu_);
  FileState& f = files_[fname];
  f.size = size;
  f.synced = std::min(f.synced, size);
}

void FaultInjectionFs::Synced(const std::string& fname, uint64_t size) {
  absl::MutexLock lock(&mu_);
  ++syncs_;
  files_[fname].synced = size;
}

IOStatus FaultInjectionFs::Wrap(const std::string& fname, IOStatus s,
                                bool reopened,
                                std::unique_ptr<FSWritableFile>* result) {
  if (!s.ok()) return s;
  uint64_t start = 0;
  {
    absl::MutexLock lock(&mu_);
    FileState& f = files_[fname];
    if (reopened) {
      // Existing bytes count as durable unless this run wrote them.
      std::error_code ec;
      uintmax_t on_disk = std::filesystem::file_size(fname, ec);
      start = ec ? 0 : on_disk;
      if (f.size == 0 && f.synced == 0) f.synced = start;
    } else {
      f = FileState{};
    }
    f.size = start;
  }
  *result = std::make_unique<File>(this, fname, std::move(*result), start);
  return s;
}

IOStatus FaultInjectionFs::NewWritableFile(
    const std::string& fname, const FileOptions& file_opts,
    std::unique_ptr<FSWritableFile>* result, IODebugContext* dbg) {
  IOStatus s = CheckAlive("create " + fname);
  if (!s.ok()) return s;
  return Wrap(fname, target()->NewWritableFile(fname, file_opts, result, dbg),
              false, result);
}

IOStatus FaultInjectionFs::ReopenWritableFile(
    const std::string& fname, const FileOptions& file_opts,
    std::unique_ptr<FSWritableFile>* result, IODebugContext* dbg) {
  IOStatus s = CheckAlive("reopen " + fname);
  if (!s.ok()) return s;
  return Wrap(fname,
              target()->ReopenWritableFile(fname, file_opts, result, dbg), true,
              result);
}

IOStatus FaultInjectionFs::ReuseWritableFile(
    const std::string& fname, const std::string& old_fname,
    const FileOptions& file_opts, std::unique_ptr<FSWritableFile>* result,
    IODebugContext* dbg) {
  IOStatus s = CheckAlive("reuse " + old_fname);
  if (!s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    files_.erase(old_fname);
  }
  return Wrap(
      fname,
      target()->ReuseWritableFile(fname, old_fname, file_opts, result, dbg),
      false, result);
}

IOStatus FaultInjectionFs::RenameFile(const std::string& src,
                                      const std::string& dst,
                                      const IOOptions& options,
                                      IODebugContext* dbg) {
  IOStatus s = CheckAlive("rename " + src);
  if (!s.ok()) return s;
  s = target()->RenameFile(src, dst, options, dbg);
  if (s.ok()) {
    absl::MutexLock lock(&mu_);
    auto it = files_.find(src);
    if (it != files_.end()) {
      files_[dst] = it->second;
      files_.erase(src);
    } else {
      files_.erase(dst);
    }
  }
  return s;
}

IOStatus FaultInjectionFs::DeleteFile(const std::string& fname,
                                      const IOOptions& options,
                                      IODebugContext* dbg) {
  IOStatus s = CheckAlive("delete " + fname);
  if (!s.ok()) return s;
  s = target()->DeleteFile(fname, options, dbg);
  if (s.ok()) {
    absl::MutexLock lock(&mu_);
    files_.erase(fname);
  }
  return s;
}

}  // namespace drive::testing
