#pragma once

// The gateway's way into the cluster (the Cluster its handlers use): one
// DriveClient per account (all with the cluster token, so signed URLs need
// no account token), a short-TTL manifest cache, a bounded LRU of verified
// chunks, a budget for chunk buffers the cache does not hold, and cached
// verdicts on bearer tokens. Blocking client calls run on executors; every
// `done` callback runs on an executor thread or, for cache hits, on the
// caller's thread, so callers post back to their own strand. Thread-safe.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/env.h"
#include "common/executor.h"
#include "common/metrics.h"
#include "daemon/gateway/byte_budget.h"
#include "daemon/gateway/chunk_cache.h"
#include "daemon/gateway/cluster.h"
#include "daemon/gateway/single_flight.h"
#include "daemon/gateway/ttl_cache.h"
#include "drive/client.h"

namespace drive::gateway {

struct ClusterAccessOptions {
  // Coordinator HOST:PORT and the cluster token (daemons' shared secret).
  std::string coordinator;
  std::string cluster_token;
  // Region the gateway sits in: reads prefer it, writes enter there.
  // Empty: the map's first region. Default: empty.
  std::string region;
  // How long a file's manifest (or its absence) is served from memory.
  // Changes made through this gateway are seen at once; changes made
  // elsewhere after up to this long. 0 disables. Default: 2 s.
  absl::Duration manifest_ttl = absl::Seconds(2);
  // How long a bearer token's verdict is cached (valid / another account /
  // unknown). Default: 30 s valid, 5 s refused.
  absl::Duration token_ttl = absl::Seconds(30);
  absl::Duration token_refused_ttl = absl::Seconds(5);
  // Bytes of verified chunks kept in memory (0: no cache). Default 256 MiB.
  uint64_t chunk_cache_bytes = 256ull << 20;
  // Chunks of files larger than this are not admitted to the cache, so one
  // large download does not evict a gallery's thumbnails. Default 64 MiB.
  uint64_t cache_max_file_bytes = 64ull << 20;
  // Bytes of chunk buffers held for downloads outside the cache; further
  // fetches wait. Default 256 MiB (64 chunks).
  uint64_t buffer_budget_bytes = 256ull << 20;
  // Deadlines of coordinator calls and of each chunk call.
  absl::Duration timeout = absl::Seconds(30);
  absl::Duration chunk_timeout = absl::Seconds(15);
};

class ClusterAccess final : public Cluster {
 public:
  // Executors and env are not owned and must outlive this object.
  // `blocking` runs reads and coordinator calls, `uploads` runs uploads
  // (each holds a thread for the whole body).
  ClusterAccess(ClusterAccessOptions options, Executor* blocking,
                Executor* uploads, Env* env, MetricsRegistry* metrics);
  ~ClusterAccess() override;

  // Starts the readiness probe (a map fetch every 2 s).
  void Start();
  // True while the coordinator answered within the last 6 s.
  bool ready() const override;

  std::optional<absl::StatusOr<FileRef>> CachedManifest(
      const std::string& account, const std::string& path) override;
  // Stats the file on the coordinator (bypassing the cache) and caches the
  // outcome; concurrent calls for one file share one Stat. `done` runs on
  // an executor thread.
  void FetchManifest(
      const std::string& account, const std::string& path,
      std::function<void(absl::StatusOr<FileRef>)> done) override;
  void UpdateManifest(const std::string& account, const std::string& path,
                      FileRef file) override;

  ChunkRef CachedChunk(const std::string& account, const ChunkId& id) override;
  // Fetches chunk `index` of `file` verified (with failover), within the
  // buffer budget, and caches it when the file is small enough; concurrent
  // calls for one chunk share one fetch. `done` runs on an executor thread
  // (or inline on a cache hit).
  void FetchChunk(const std::string& account, FileRef file, size_t index,
                  std::function<void(absl::StatusOr<ChunkRef>)> done) override;

  std::optional<absl::Status> CachedTokenVerdict(
      const std::string& account, const std::string& token) override;
  // Asks the coordinator, caches and reports the verdict (kUnavailable is
  // not cached).
  void VerifyToken(const std::string& account, const std::string& token,
                   std::function<void(absl::Status)> done) override;

  // On the blocking executor.
  void List(const std::string& account, const std::string& prefix,
            const std::string& cursor, uint32_t limit,
            std::function<void(absl::StatusOr<client::Listing>)> done) override;
  void Delete(
      const std::string& account, const std::string& path,
      std::function<void(absl::StatusOr<client::TrashItem>)> done) override;
  // On the upload executor: UploadStream, the spec's check, then Commit.
  void Upload(
      const std::string& account, UploadSpec spec,
      std::function<void(absl::StatusOr<client::FileInfo>)> done) override;

  const ChunkCache& chunk_cache() const { return chunks_; }
  const ByteBudget& buffer_budget() const { return budget_; }

 private:
  // Runs `work` with the account's client on `executor`. The client
  // pointer stays valid while this object lives. An error means the client
  // could not be created.
  using ClientWork = std::function<void(absl::StatusOr<client::DriveClient*>)>;
  absl::StatusOr<client::DriveClient*> Client(const std::string& account);
  void RunWithClient(Executor* executor, const std::string& account,
                     ClientWork work);
  // RunWithClient on the blocking executor.
  void WithClient(const std::string& account, ClientWork work);
  static std::string Key(const std::string& account, const std::string& s);
  void ProbeLoop();

  const ClusterAccessOptions options_;
  Executor* const blocking_;
  Executor* const uploads_;
  Env* const env_;
  TtlCache<absl::StatusOr<FileRef>> manifests_;
  // When UpdateManifest last ran per key (a sequence number), so that a
  // Stat which started before a PUT or DELETE through this gateway does
  // not put the older manifest back.
  TtlCache<uint64_t> updated_;
  std::atomic<uint64_t> update_seq_{0};
  TtlCache<absl::Status> verdicts_;
  ChunkCache chunks_;
  ByteBudget budget_;
  SingleFlight<absl::StatusOr<FileRef>> manifest_flights_;
  SingleFlight<absl::StatusOr<ChunkRef>> chunk_flights_;
  Counter* chunk_fetches_;
  Counter* chunk_fetch_failures_;
  Counter* manifest_fetches_;
  Counter* token_checks_;

  absl::Mutex mu_;
  // One client per account, created on first use and kept: accounts are
  // few (studios) and a client holds only channels and a map.
  std::map<std::string, std::unique_ptr<client::DriveClient>> clients_
      ABSL_GUARDED_BY(mu_);

  std::atomic<int64_t> last_ok_unix_ms_{0};
  absl::Notification stop_;
  std::thread probe_;
};

}  // namespace drive::gateway
