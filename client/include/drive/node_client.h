#pragma once

// Low-level client for one storage node's chunk API. Used by tools, tests,
// benchmarks and (later) by the replicated client library. Generated proto
// types stay inside the library.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/chunk_id.h"

namespace drive::client {

struct NodeClientOptions {
  // Node address, HOST:PORT.
  std::string address;
  // Cluster token sent with every call.
  std::string cluster_token;
  // Deadline of each call. Default: 60 s.
  absl::Duration timeout = absl::Seconds(60);
  // Give this client its own TCP connection instead of sharing one with
  // other clients of the same address (parallel bulk transfers).
  // Default: false.
  bool own_connection = false;
};

struct PutChunkResult {
  bool already_present = false;
  uint64_t stored_bytes = 0;
};

struct ChunkPage {
  struct Entry {
    ChunkId id;
    uint64_t raw_length = 0;
    uint64_t stored_length = 0;
  };
  std::vector<Entry> chunks;
  std::string next_page_token;  // empty on the last page
};

struct DriveStatsResult {
  std::string drive;
  uint64_t chunks = 0;
  uint64_t logical_bytes = 0;
  uint64_t stored_bytes = 0;
  uint64_t free_bytes = 0;
  uint64_t capacity_bytes = 0;
  uint64_t reserve_bytes = 0;
  uint64_t checksum_failures = 0;
};

// Thread-safe; calls block until the reply or the deadline. Errors carry
// the node's status code (see proto/drive/v1/node.proto).
class NodeClient {
 public:
  explicit NodeClient(NodeClientOptions options);
  ~NodeClient();

  // Streams `data` (<= 4 MiB) in 1 MiB messages; OK once durable.
  absl::StatusOr<PutChunkResult> PutChunk(std::string_view drive,
                                          std::string_view account,
                                          const ChunkId& id,
                                          std::string_view data);
  // Bytes [offset, offset+length) of the chunk (length 0: to the end).
  absl::StatusOr<std::string> GetChunk(std::string_view drive,
                                       std::string_view account,
                                       const ChunkId& id, uint64_t offset = 0,
                                       uint64_t length = 0);
  absl::StatusOr<std::vector<bool>> HasChunks(std::string_view drive,
                                              std::string_view account,
                                              const std::vector<ChunkId>& ids);
  absl::StatusOr<uint64_t> DeleteChunks(std::string_view drive,
                                        std::string_view account,
                                        const std::vector<ChunkId>& ids);
  absl::StatusOr<ChunkPage> ListChunks(std::string_view drive,
                                       std::string_view account, uint32_t pg,
                                       std::string_view page_token,
                                       uint32_t limit);
  absl::StatusOr<std::vector<DriveStatsResult>> NodeStats();
  // Chunk bytes this node received from nodes of another region.
  absl::StatusOr<uint64_t> CrossRegionBytesIn();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace drive::client
