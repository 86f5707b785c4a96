#pragma once

// An in-memory gateway::Cluster for the gateway's handler tests: files
// with their bytes (cut into chunks), tokens per account, and uploads that
// can be made to fail. No caches: every lookup is a "fetch", answered on a
// thread of its own pool like ClusterAccess. Thread-safe.

#include <map>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "common/executor.h"
#include "daemon/gateway/cluster.h"

namespace drive::testing {

class FakeGatewayCluster final : public gateway::Cluster {
 public:
  // Stores `content` at `path` of `account` (version 1 or the next one),
  // cut into chunks of `chunk_bytes`.
  void AddFile(const std::string& account, const std::string& path,
               const std::string& content, const std::string& content_type,
               size_t chunk_bytes = 4 << 20) {
    absl::MutexLock lock(&mu_);
    Store(account, path, content, content_type, chunk_bytes);
  }
  // Bearer `token` grants `account`.
  void AddToken(const std::string& account, const std::string& token) {
    absl::MutexLock lock(&mu_);
    tokens_[token] = account;
  }
  // Uploads read their whole body, then fail with `s` (OK: succeed).
  void RefuseUploads(absl::Status s) {
    absl::MutexLock lock(&mu_);
    upload_error_ = std::move(s);
  }
  // The stored bytes of a file, if any.
  std::optional<std::string> Content(const std::string& account,
                                     const std::string& path) {
    absl::MutexLock lock(&mu_);
    auto it = files_.find({account, path});
    if (it == files_.end()) return std::nullopt;
    std::string out;
    for (const auto& c : it->second->chunks) out += chunks_.at(c.id);
    return out;
  }

  bool ready() const override { return true; }
  std::optional<absl::StatusOr<gateway::FileRef>> CachedManifest(
      const std::string&, const std::string&) override {
    return std::nullopt;
  }
  void FetchManifest(
      const std::string& account, const std::string& path,
      std::function<void(absl::StatusOr<gateway::FileRef>)> done) override {
    executor_.Schedule([this, account, path, done = std::move(done)] {
      done(Find(account, path));
    });
  }
  void UpdateManifest(const std::string&, const std::string&,
                      gateway::FileRef) override {}
  gateway::ChunkRef CachedChunk(const std::string&, const ChunkId&) override {
    return nullptr;
  }
  void FetchChunk(
      const std::string&, gateway::FileRef file, size_t index,
      std::function<void(absl::StatusOr<gateway::ChunkRef>)> done) override {
    executor_.Schedule([this, file, index, done = std::move(done)] {
      absl::MutexLock lock(&mu_);
      auto it = chunks_.find(file->chunks.at(index).id);
      if (it == chunks_.end()) return done(absl::DataLossError("no copy"));
      done(std::make_shared<const std::string>(it->second));
    });
  }
  std::optional<absl::Status> CachedTokenVerdict(const std::string&,
                                                 const std::string&) override {
    return std::nullopt;
  }
  void VerifyToken(const std::string& account, const std::string& token,
                   std::function<void(absl::Status)> done) override {
    executor_.Schedule([this, account, token, done = std::move(done)] {
      absl::MutexLock lock(&mu_);
      auto it = tokens_.find(token);
      if (it == tokens_.end()) {
        return done(absl::UnauthenticatedError("unknown token"));
      }
      if (it->second != account) {
        return done(absl::PermissionDeniedError("another account's token"));
      }
      done(absl::OkStatus());
    });
  }
  void List(
      const std::string& account, const std::string& prefix, const std::string&,
      uint32_t limit,
      std::function<void(absl::StatusOr<client::Listing>)> done) override {
    executor_.Schedule([this, account, prefix, limit, done = std::move(done)] {
      client::Listing listing;
      absl::MutexLock lock(&mu_);
      for (const auto& [key, file] : files_) {
        if (key.first != account || !absl::StartsWith(key.second, prefix)) {
          continue;
        }
        if (listing.files.size() == limit) break;
        listing.files.push_back(*file);
      }
      done(std::move(listing));
    });
  }
  void Delete(
      const std::string& account, const std::string& path,
      std::function<void(absl::StatusOr<client::TrashItem>)> done) override {
    executor_.Schedule([this, account, path, done = std::move(done)] {
      absl::MutexLock lock(&mu_);
      auto it = files_.find({account, path});
      if (it == files_.end()) return done(absl::NotFoundError(path));
      client::TrashItem item;
      item.trash_id = "trash-1";
      item.file = *it->second;
      files_.erase(it);
      done(std::move(item));
    });
  }
  void Upload(
      const std::string& account, gateway::UploadSpec spec,
      std::function<void(absl::StatusOr<client::FileInfo>)> done) override {
    executor_.Schedule(
        [this, account, spec = std::move(spec), done = std::move(done)] {
          std::string body;
          char buf[64 << 10];
          while (true) {
            absl::StatusOr<size_t> n = spec.read(buf, sizeof(buf));
            if (!n.ok()) return done(n.status());
            if (*n == 0) break;
            body.append(buf, *n);
          }
          if (absl::Status s = spec.check(ChunkId::Of(body)); !s.ok()) {
            return done(s);
          }
          absl::MutexLock lock(&mu_);
          if (!upload_error_.ok()) return done(upload_error_);
          done(*Store(account, spec.path, body, spec.content_type, 4 << 20));
        });
  }

 private:
  gateway::FileRef Store(const std::string& account, const std::string& path,
                         const std::string& content,
                         const std::string& content_type, size_t chunk_bytes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto f = std::make_shared<client::FileInfo>();
    f->path = path;
    f->size = content.size();
    f->content_type = content_type;
    f->hash = ChunkId::Of(content);
    f->durability = "full";
    f->mtime_ms = f->committed_ms = 1'700'000'000'000;
    auto old = files_.find({account, path});
    f->version = old == files_.end() ? 1 : old->second->version + 1;
    for (size_t at = 0; at < content.size(); at += chunk_bytes) {
      std::string piece = content.substr(at, chunk_bytes);
      client::ChunkInfo c;
      c.id = ChunkId::Of(piece);
      c.size = piece.size();
      chunks_[c.id] = std::move(piece);
      f->chunks.push_back(std::move(c));
    }
    files_[{account, path}] = f;
    return f;
  }
  absl::StatusOr<gateway::FileRef> Find(const std::string& account,
                                        const std::string& path) {
    absl::MutexLock lock(&mu_);
    auto it = files_.find({account, path});
    if (it == files_.end()) return absl::NotFoundError(path + " not found");
    return it->second;
  }

  absl::Mutex mu_;
  std::map<std::pair<std::string, std::string>, gateway::FileRef> files_
      ABSL_GUARDED_BY(mu_);
  std::map<ChunkId, std::string> chunks_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> tokens_ ABSL_GUARDED_BY(mu_);
  absl::Status upload_error_ ABSL_GUARDED_BY(mu_);
  // Last: destroyed first, so no task outlives the state it uses.
  ThreadPoolExecutor executor_{2};
};

}  // namespace drive::testing
