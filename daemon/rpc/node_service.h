#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/executor.h"
#include "common/grpc/peer_channels.h"
#include "common/metrics.h"
#include "common/rate_limiter.h"
#include "daemon/repair/chunk_puller.h"
#include "daemon/rpc/auth.h"
#include "daemon/rpc/idle_stream_watch.h"
#include "daemon/rpc/node_map.h"
#include "daemon/rpc/rpc_metrics.h"
#include "daemon/scrubber/scrubber.h"
#include "daemon/storage/storage_node.h"
#include "drive/v1/node.grpc.pb.h"

namespace drive::rpc {

// Largest data message accepted in a PutChunk stream and sent in a GetChunk
// stream.
inline constexpr size_t kMaxChunkMessageBytes = 1 << 20;
// Largest batch of ids in HasChunks / DeleteChunks.
inline constexpr int kMaxBatchIds = 10000;

struct NodeServiceOptions {
  // Shared secret of the daemons; also verifies clients' data tokens.
  std::string cluster_token;
  // Region of this node, to count bytes forwarded from the other region.
  std::string region;
  // Bytes/s each drive receives through PullChunks (repair copies), so
  // repair never crowds out client writes; 0 = unlimited. Default: 0.
  double repair_rate_bytes = 0;
  // The node's copy of the placement map: PutChunk forwards only to drives
  // it lists, refreshed once when a target is not in it. Not owned; null
  // refuses every forward. Default: null.
  NodeMapCache* map = nullptr;
  // A PutChunk stream that receives no message for this long is cancelled
  // with DEADLINE_EXCEEDED and its buffers freed. > 0. Default: 30 s.
  absl::Duration stream_idle_timeout = absl::Seconds(30);
  // PutChunk streams open at once (each may buffer up to 4 MiB); more are
  // refused with RESOURCE_EXHAUSTED. >= 1. Default: 256.
  int max_put_streams = 256;
};

// What the repair and scrub calls use; nothing owned, all must outlive the
// service. scrubber may be null (no scrub, VerifyChunks only reports).
struct NodeRepairDeps {
  scrubber::Scrubber* scrubber = nullptr;
  // Where PullChunks reads copies from; null refuses pulls.
  repair::ChunkFetcher* fetcher = nullptr;
  // Runs pulls and scrub passes, which block for long.
  Executor* executor = nullptr;
};

// gRPC front of a StorageNode (proto/drive/v1/node.proto). Thin: checks the
// cluster token, validates and converts, runs the storage call on
// `executor` (never on gRPC's threads), converts back. Thread-safe; node,
// executor and metrics registry are not owned and must outlive the server.
class NodeServiceImpl final : public drive::v1::NodeService::CallbackService {
 public:
  // Writes (which block on fsync and group flushes) and reads run on
  // separate executors, so a queue of waiting writes never delays a read
  // or an existence check.
  NodeServiceImpl(storage::StorageNode* node, Executor* write_executor,
                  Executor* read_executor, MetricsRegistry* metrics,
                  NodeServiceOptions options, NodeRepairDeps repair = {});

  grpc::ServerReadReactor<drive::v1::PutChunkRequest>* PutChunk(
      grpc::CallbackServerContext* ctx,
      drive::v1::PutChunkResponse* response) override;
  grpc::ServerWriteReactor<drive::v1::GetChunkResponse>* GetChunk(
      grpc::CallbackServerContext* ctx,
      const drive::v1::GetChunkRequest* request) override;
  grpc::ServerUnaryReactor* HasChunks(
      grpc::CallbackServerContext* ctx,
      const drive::v1::HasChunksRequest* request,
      drive::v1::HasChunksResponse* response) override;
  grpc::ServerUnaryReactor* DeleteChunks(
      grpc::CallbackServerContext* ctx,
      const drive::v1::DeleteChunksRequest* request,
      drive::v1::DeleteChunksResponse* response) override;
  grpc::ServerUnaryReactor* ListChunks(
      grpc::CallbackServerContext* ctx,
      const drive::v1::ListChunksRequest* request,
      drive::v1::ListChunksResponse* response) override;
  grpc::ServerUnaryReactor* NodeStats(
      grpc::CallbackServerContext* ctx,
      const drive::v1::NodeStatsRequest* request,
      drive::v1::NodeStatsResponse* response) override;
  // Repair, scrub and backup records: node_service_repair.cc.
  grpc::ServerUnaryReactor* PgDigests(
      grpc::CallbackServerContext* ctx,
      const drive::v1::PgDigestsRequest* request,
      drive::v1::PgDigestsResponse* response) override;
  grpc::ServerUnaryReactor* ListPgChunks(
      grpc::CallbackServerContext* ctx,
      const drive::v1::ListPgChunksRequest* request,
      drive::v1::ListPgChunksResponse* response) override;
  grpc::ServerUnaryReactor* PullChunks(
      grpc::CallbackServerContext* ctx,
      const drive::v1::PullChunksRequest* request,
      drive::v1::PullChunksResponse* response) override;
  grpc::ServerUnaryReactor* VerifyChunks(
      grpc::CallbackServerContext* ctx,
      const drive::v1::VerifyChunksRequest* request,
      drive::v1::VerifyChunksResponse* response) override;
  grpc::ServerUnaryReactor* Scrub(grpc::CallbackServerContext* ctx,
                                  const drive::v1::ScrubRequest* request,
                                  drive::v1::ScrubResponse* response) override;
  grpc::ServerUnaryReactor* PutBackupRecord(
      grpc::CallbackServerContext* ctx,
      const drive::v1::PutBackupRecordRequest* request,
      drive::v1::PutBackupRecordResponse* response) override;
  grpc::ServerUnaryReactor* ListBackupRecords(
      grpc::CallbackServerContext* ctx,
      const drive::v1::ListBackupRecordsRequest* request,
      drive::v1::ListBackupRecordsResponse* response) override;

  // Registers per-drive usage gauges, refreshed on every scrape.
  void ExportDriveMetrics();

 private:
  class PutChunkReactor;
  class GetChunkReactor;

  // Checks the caller may make this call (`who`) for `account` (ignored
  // for kCluster), then runs `work` on the executor.
  grpc::ServerUnaryReactor* Unary(grpc::CallbackServerContext* ctx,
                                  const std::string& rpc, NodeCaller who,
                                  const std::string& account,
                                  std::function<absl::Status()> work,
                                  Executor* executor = nullptr);  // null: reads
  // See AuthorizeChunkAccess.
  absl::Status Authorize(const grpc::CallbackServerContext& ctx, NodeCaller who,
                         const std::string& account) const;

  storage::StorageNode* node_;
  Executor* write_executor_;
  Executor* read_executor_;
  MetricsRegistry* registry_;
  RpcMetrics metrics_;
  std::string cluster_token_;
  std::string region_;
  Counter* cross_region_bytes_;
  NodeMapCache* map_;
  // Open PutChunk streams: their number and idleness.
  IdleStreamWatch put_streams_;
  // Forward targets are checked against the map, so this holds channels to
  // cluster members only.
  PeerChannels peers_;
  NodeRepairDeps repair_;
  // PullChunks' copies: fetch, verify, pace, store, one Sync.
  repair::ChunkPuller puller_;
  // Per-drive budget of PullChunks bytes, by drive name.
  std::map<std::string, std::unique_ptr<RateLimiter>> pull_limiters_;
  Counter* repair_bytes_;
};

}  // namespace drive::rpc
