#include "daemon/gateway/cluster_access.h"

#include "absl/strings/str_cat.h"
#include "common/data_token.h"
#include "spdlog/spdlog.h"

namespace drive::gateway {

namespace {
// The probe's client has no account: it only fetches maps and checks
// tokens, which take the account per call.
constexpr char kProbeAccount[] = "";
}  // namespace

ClusterAccess::ClusterAccess(ClusterAccessOptions options, Executor* blocking,
                             Executor* uploads, Env* env,
                             MetricsRegistry* metrics)
    : options_(std::move(options)),
      blocking_(blocking),
      uploads_(uploads),
      env_(env),
      manifests_(env, 100000),
      updated_(env, 100000),
      verdicts_(env, 10000),
      chunks_(options_.chunk_cache_bytes),
      budget_(options_.buffer_budget_bytes),
      chunk_fetches_(metrics->GetCounter(
          "drive_gateway_chunk_fetches_total",
          "Chunks fetched from storage nodes (cache misses)")),
      chunk_fetch_failures_(
          metrics->GetCounter("drive_gateway_chunk_fetch_failures_total",
                              "Chunk fetches that found no verified copy")),
      manifest_fetches_(metrics->GetCounter(
          "drive_gateway_manifest_fetches_total",
          "Manifests fetched from the coordinator (cache misses)")),
      token_checks_(
          metrics->GetCounter("drive_gateway_token_checks_total",
                              "Bearer tokens checked with the coordinator")) {
  metrics->AddRefreshHook([this, metrics] {
    metrics
        ->GetGauge("drive_gateway_chunk_cache_bytes",
                   "Bytes of verified chunks cached")
        ->Set(static_cast<double>(chunks_.bytes()));
    metrics
        ->GetGauge("drive_gateway_chunk_cache_hits",
                   "Chunk cache hits since start")
        ->Set(static_cast<double>(chunks_.hits()));
    metrics
        ->GetGauge("drive_gateway_chunk_cache_misses",
                   "Chunk cache misses since start")
        ->Set(static_cast<double>(chunks_.misses()));
    metrics
        ->GetGauge("drive_gateway_buffer_bytes",
                   "Bytes of download buffers held outside the cache")
        ->Set(static_cast<double>(budget_.in_use()));
    metrics
        ->GetGauge("drive_gateway_ready",
                   "1 while the coordinator answers the readiness probe")
        ->Set(ready() ? 1 : 0);
  });
}

ClusterAccess::~ClusterAccess() {
  stop_.Notify();
  if (probe_.joinable()) probe_.join();
}

void ClusterAccess::Start() {
  probe_ = std::thread([this] { ProbeLoop(); });
}

void ClusterAccess::ProbeLoop() {
  absl::Status last = absl::OkStatus();
  do {
    auto c = Client(kProbeAccount);
    absl::Status s = c.ok() ? (*c)->RefreshMap() : c.status();
    if (s.ok()) {
      last_ok_unix_ms_ = absl::ToUnixMillis(env_->Now());
    } else if (last.ok() || s.code() != last.code()) {
      spdlog::warn("event=gateway_probe_failed error=\"{}\"", s.ToString());
    }
    last = s;
  } while (!stop_.WaitForNotificationWithTimeout(absl::Seconds(2)));
}

bool ClusterAccess::ready() const {
  return absl::ToUnixMillis(env_->Now()) - last_ok_unix_ms_.load() < 6000;
}

std::string ClusterAccess::Key(const std::string& account,
                               const std::string& s) {
  return absl::StrCat(account, absl::string_view("\0", 1), s);
}

absl::StatusOr<client::DriveClient*> ClusterAccess::Client(
    const std::string& account) {
  {
    absl::MutexLock lock(&mu_);
    auto it = clients_.find(account);
    if (it != clients_.end()) return it->second.get();
  }
  // Connecting fetches the map: do it outside the lock. Two threads may
  // race to connect the same account; the first to insert wins.
  client::ClientOptions o;
  o.coordinator = options_.coordinator;
  o.token = options_.cluster_token;
  o.account = account;
  o.region = options_.region;
  o.timeout = options_.timeout;
  // The probe's calls (readiness, token checks) must answer fast, and a
  // hung coordinator must not hold up shutdown for long.
  if (account == kProbeAccount)
    o.timeout = std::min(o.timeout, absl::Seconds(5));
  o.chunk_timeout = options_.chunk_timeout;
  auto c = client::DriveClient::Connect(o);
  if (!c.ok()) return c.status();
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = clients_.emplace(account, std::move(*c));
  return it->second.get();
}

void ClusterAccess::RunWithClient(Executor* executor,
                                  const std::string& account, ClientWork work) {
  executor->Schedule(
      [this, account, work = std::move(work)] { work(Client(account)); });
}

void ClusterAccess::WithClient(const std::string& account, ClientWork work) {
  RunWithClient(blocking_, account, std::move(work));
}

void ClusterAccess::List(
    const std::string& account, const std::string& prefix,
    const std::string& cursor, uint32_t limit,
    std::function<void(absl::StatusOr<client::Listing>)> done) {
  WithClient(account, [prefix, cursor, limit, done = std::move(done)](
                          absl::StatusOr<client::DriveClient*> c) {
    if (!c.ok()) return done(c.status());
    done((*c)->List(prefix, cursor, limit));
  });
}

void ClusterAccess::Delete(
    const std::string& account, const std::string& path,
    std::function<void(absl::StatusOr<client::TrashItem>)> done) {
  WithClient(account, [path, done = std::move(done)](
                          absl::StatusOr<client::DriveClient*> c) {
    if (!c.ok()) return done(c.status());
    done((*c)->Delete(path));
  });
}

void ClusterAccess::Upload(
    const std::string& account, UploadSpec spec,
    std::function<void(absl::StatusOr<client::FileInfo>)> done) {
  RunWithClient(
      uploads_, account,
      [spec = std::move(spec),
       done = std::move(done)](absl::StatusOr<client::DriveClient*> c) {
        if (!c.ok()) return done(c.status());
        auto prepared = (*c)->UploadStream(
            spec.read, spec.path, spec.content_type, spec.mtime_ms, nullptr);
        if (!prepared.ok()) return done(prepared.status());
        if (absl::Status s = spec.check(prepared->info.hash); !s.ok()) {
          return done(s);
        }
        std::vector<uint64_t> expected;
        if (spec.expected_version) {
          expected.push_back(*spec.expected_version);
        }
        auto committed = (*c)->Commit(
            {*prepared}, spec.expected_version ? &expected : nullptr);
        if (!committed.ok()) return done(committed.status());
        done(std::move(committed->at(0)));
      });
}

std::optional<absl::StatusOr<FileRef>> ClusterAccess::CachedManifest(
    const std::string& account, const std::string& path) {
  return manifests_.Lookup(Key(account, path));
}

void ClusterAccess::FetchManifest(
    const std::string& account, const std::string& path,
    std::function<void(absl::StatusOr<FileRef>)> done) {
  std::string key = Key(account, path);
  if (!manifest_flights_.Join(key, std::move(done))) return;
  const uint64_t started = update_seq_.load();
  WithClient(account, [this, key, path,
                       started](absl::StatusOr<client::DriveClient*> c) {
    absl::StatusOr<FileRef> out = absl::UnknownError("not fetched");
    if (!c.ok()) {
      out = c.status();
    } else {
      manifest_fetches_->Add();
      auto info = (*c)->Stat(path);
      if (info.ok()) {
        out = std::make_shared<const client::FileInfo>(*std::move(info));
      } else {
        out = info.status();
      }
    }
    std::optional<uint64_t> updated = updated_.Lookup(key);
    bool superseded = updated && *updated > started;
    if ((out.ok() || absl::IsNotFound(out.status())) && !superseded) {
      manifests_.Insert(key, out, options_.manifest_ttl);
    }
    manifest_flights_.Finish(key, out);
  });
}

void ClusterAccess::UpdateManifest(const std::string& account,
                                   const std::string& path, FileRef file) {
  std::string key = Key(account, path);
  // Long enough to outlive any Stat that started before this update.
  updated_.Insert(key, ++update_seq_, options_.manifest_ttl + options_.timeout);
  if (file == nullptr) {
    manifests_.Insert(key, absl::NotFoundError("no file " + path),
                      options_.manifest_ttl);
  } else {
    manifests_.Insert(key, std::move(file), options_.manifest_ttl);
  }
}

ChunkRef ClusterAccess::CachedChunk(const std::string& account,
                                    const ChunkId& id) {
  return chunks_.Lookup(account, id);
}

void ClusterAccess::FetchChunk(
    const std::string& account, FileRef file, size_t index,
    std::function<void(absl::StatusOr<ChunkRef>)> done) {
  const ChunkId id = file->chunks.at(index).id;
  if (ChunkRef hit = chunks_.Lookup(account, id)) return done(hit);
  std::string key = Key(account, std::string(id.bytes()));
  if (!chunk_flights_.Join(key, std::move(done))) return;
  const uint64_t size = file->chunks[index].size;
  const bool cacheable =
      chunks_.capacity() > 0 && file->size <= options_.cache_max_file_bytes;
  auto finish = [this, key](absl::StatusOr<ChunkRef> r) {
    chunk_flights_.Finish(key, r);
  };
  // Reserve the buffer before fetching, so at most the budget of chunk
  // bytes is in flight or held by slow clients.
  budget_.Acquire(
      size, [this, account, file, index, id, size, cacheable, finish]() {
        WithClient(account, [this, account, file, index, id, size, cacheable,
                             finish](absl::StatusOr<client::DriveClient*> c) {
          absl::StatusOr<std::string> data =
              c.ok() ? (*c)->ReadChunk(*file, index)
                     : absl::StatusOr<std::string>(c.status());
          chunk_fetches_->Add();
          if (!data.ok()) {
            chunk_fetch_failures_->Add();
            budget_.Release(size);
            return finish(data.status());
          }
          if (cacheable) {
            // The cache accounts for these bytes from now on.
            auto value = std::make_shared<const std::string>(std::move(*data));
            chunks_.Insert(account, id, value);
            budget_.Release(size);
            return finish(ChunkRef(std::move(value)));
          }
          // Held by the downloads only: the budget is returned when the last
          // reference goes.
          auto* raw = new std::string(std::move(*data));
          finish(ChunkRef(raw, [this, size](const std::string* p) {
            delete p;
            budget_.Release(size);
          }));
        });
      });
}

std::optional<absl::Status> ClusterAccess::CachedTokenVerdict(
    const std::string& account, const std::string& token) {
  // Keyed by the token's hash: the cache never holds a usable secret.
  return verdicts_.Lookup(Key(account, Sha256Hex(token)));
}

void ClusterAccess::VerifyToken(const std::string& account,
                                const std::string& token,
                                std::function<void(absl::Status)> done) {
  WithClient(kProbeAccount, [this, account, token, done = std::move(done)](
                                absl::StatusOr<client::DriveClient*> c) {
    if (!c.ok()) return done(c.status());
    token_checks_->Add();
    absl::Status s = (*c)->CheckToken(account, token);
    std::string key = Key(account, Sha256Hex(token));
    if (s.ok()) {
      verdicts_.Insert(key, s, options_.token_ttl);
    } else if (absl::IsUnauthenticated(s) || absl::IsPermissionDenied(s)) {
      verdicts_.Insert(key, s, options_.token_refused_ttl);
    }
    done(std::move(s));
  });
}

}  // namespace drive::gateway
