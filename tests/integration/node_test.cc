// A real `drived node` process on 127.0.0.1: bytes round-trip over gRPC,
// bad input is refused, kill -9 loses nothing acknowledged, and bytes
// flipped on disk are never served.

#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "common/chunk_id.h"
#include "drive/node_client.h"
#include "drive/v1/node.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/support/disk_corruption.h"
#include "tests/support/node_process.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace drive {
namespace {

using ::drive::client::NodeClient;
using ::drive::client::NodeClientOptions;
using ::drive::testing::NodeProcess;
using ::drive::testing::RandomBytes;
using ::drive::testing::ReadFileOrEmpty;
using ::drive::testing::StatusIs;
using ::drive::testing::TempDir;
using ::testing::HasSubstr;

constexpr char kToken[] = "test-cluster-token";

class NodeIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Background scrubbing off: these tests check what the read path does
    // with bytes as they are on disk (the scrubber's own test is below).
    node_ = std::make_unique<NodeProcess>(
        dir_.Sub("node"), kToken,
        std::vector<std::string>{"--scrub-max-rate", "0"});
    ASSERT_TRUE(node_->Start());
    client_ = Client(kToken);
  }

  std::unique_ptr<NodeClient> Client(const std::string& token) {
    NodeClientOptions o;
    o.address = node_->address();
    o.cluster_token = token;
    o.timeout = absl::Seconds(20);
    o.own_connection = true;
    return std::make_unique<NodeClient>(o);
  }

  std::unique_ptr<v1::NodeService::Stub> RawStub() {
    return v1::NodeService::NewStub(grpc::CreateChannel(
        node_->address(), grpc::InsecureChannelCredentials()));
  }

  TempDir dir_;
  std::unique_ptr<NodeProcess> node_;
  std::unique_ptr<NodeClient> client_;
};

TEST_F(NodeIntegrationTest, RealPhotosAndRandomDataRoundTrip) {
  std::vector<std::string> payloads;
  for (const auto& f : std::filesystem::directory_iterator(
           std::string(DRIVE_SOURCE_DIR) + "/data/photos")) {
    payloads.push_back(ReadFileOrEmpty(f.path()));
  }
  ASSERT_GE(payloads.size(), 3u);
  for (size_t n : {size_t{0}, size_t{1}, size_t{131072}, size_t{1} << 20,
                   (size_t{1} << 20) + 1, kMaxChunkBytes}) {
    payloads.push_back(RandomBytes(n, n + 1));
  }
  for (const auto& bytes : payloads) {
    ASSERT_LE(bytes.size(), kMaxChunkBytes);
    ChunkId id = ChunkId::Of(bytes);
    ASSERT_OK_AND_ASSIGN(auto put,
                         client_->PutChunk("d0", "studio", id, bytes));
    EXPECT_FALSE(put.already_present);
    ASSERT_OK_AND_ASSIGN(std::string back,
                         client_->GetChunk("d0", "studio", id));
    EXPECT_TRUE(back == bytes)
        << "chunk of " << bytes.size() << " bytes differs";
    if (bytes.size() > 10) {
      ASSERT_OK_AND_ASSIGN(
          std::string range,
          client_->GetChunk("d0", "studio", id, bytes.size() - 7, 5));
      EXPECT_EQ(range, bytes.substr(bytes.size() - 7, 5));
    }
  }
  ASSERT_OK_AND_ASSIGN(auto stats, client_->NodeStats());
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].chunks, payloads.size());

  std::string metrics = testing::HttpGet(node_->metrics_port(), "/metrics");
  EXPECT_THAT(
      metrics,
      HasSubstr("drive_rpc_requests_total{rpc=\"PutChunk\",code=\"OK\"} " +
                std::to_string(payloads.size())));
  EXPECT_THAT(metrics, HasSubstr("drive_drive_chunks{drive=\"d0\"} " +
                                 std::to_string(payloads.size())));
  EXPECT_THAT(metrics,
              HasSubstr("drive_rpc_duration_seconds_bucket{rpc=\"GetChunk\""));
}

TEST_F(NodeIntegrationTest, WrongOrMissingTokenIsUnauthenticated) {
  std::string bytes = "secret photo";
  ChunkId id = ChunkId::Of(bytes);
  auto intruder = Client("guess");
  EXPECT_THAT(intruder->PutChunk("d0", "studio", id, bytes),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(intruder->NodeStats(),
              StatusIs(absl::StatusCode::kUnauthenticated));
  ASSERT_OK(client_->PutChunk("d0", "studio", id, bytes));
  EXPECT_THAT(intruder->GetChunk("d0", "studio", id),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(intruder->DeleteChunks("d0", "studio", {id}),
              StatusIs(absl::StatusCode::kUnauthenticated));
  // No token at all.
  grpc::ClientContext ctx;
  v1::NodeStatsResponse resp;
  EXPECT_EQ(
      RawStub()->NodeStats(&ctx, v1::NodeStatsRequest(), &resp).error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_OK_AND_ASSIGN(auto has, client_->HasChunks("d0", "studio", {id}));
  EXPECT_TRUE(has[0]);  // the intruder's delete changed nothing
}

TEST_F(NodeIntegrationTest, WrongIdIsDataLossAndStoresNothing) {
  std::string bytes = RandomBytes(200000, 3);
  ChunkId claimed = ChunkId::Of("other bytes");
  EXPECT_THAT(client_->PutChunk("d0", "studio", claimed, bytes),
              StatusIs(absl::StatusCode::kDataLoss));
  ASSERT_OK_AND_ASSIGN(auto has, client_->HasChunks("d0", "studio", {claimed}));
  EXPECT_FALSE(has[0]);
}

TEST_F(NodeIntegrationTest, BadRequestsGetSpecificCodes) {
  std::string bytes = "x";
  ChunkId id = ChunkId::Of(bytes);
  EXPECT_THAT(client_->PutChunk("d9", "studio", id, bytes),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(client_->GetChunk("d0", "studio", id),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(client_->PutChunk("d0", "Bad/Account", id, bytes),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(client_->ListChunks("d0", "studio", 5000, "", 10),
              StatusIs(absl::StatusCode::kInvalidArgument));

  auto stub = RawStub();
  auto put_raw = [&](const std::vector<v1::PutChunkRequest>& msgs) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-drive-cluster-token", kToken);
    v1::PutChunkResponse resp;
    auto w = stub->PutChunk(&ctx, &resp);
    for (const auto& m : msgs) {
      if (!w->Write(m)) break;
    }
    w->WritesDone();
    return w->Finish().error_code();
  };
  std::string data = RandomBytes(1000, 8);
  v1::PutChunkRequest header;
  header.mutable_header()->set_drive("d0");
  header.mutable_header()->mutable_address()->set_account("studio");
  header.mutable_header()->mutable_address()->set_chunk_id(
      std::string(ChunkId::Of(data).bytes()));
  header.mutable_header()->set_length(data.size());
  v1::PutChunkRequest half;
  half.set_data(data.substr(0, 500));
  // Truncated stream: announced 1000 bytes, sent 500.
  EXPECT_EQ(put_raw({header, half}), grpc::StatusCode::INVALID_ARGUMENT);
  // Data before the header.
  EXPECT_EQ(put_raw({half, header}), grpc::StatusCode::INVALID_ARGUMENT);
  // Malformed id.
  v1::PutChunkRequest bad_id = header;
  bad_id.mutable_header()->mutable_address()->set_chunk_id("short");
  EXPECT_EQ(put_raw({bad_id}), grpc::StatusCode::INVALID_ARGUMENT);
  // Announced length over 4 MiB.
  v1::PutChunkRequest huge = header;
  huge.mutable_header()->set_length(kMaxChunkBytes + 1);
  EXPECT_EQ(put_raw({huge}), grpc::StatusCode::INVALID_ARGUMENT);
  // A 2 MiB data message is over the per-message limit.
  v1::PutChunkRequest big_header = header;
  std::string big = RandomBytes(2 << 20, 9);
  big_header.mutable_header()->mutable_address()->set_chunk_id(
      std::string(ChunkId::Of(big).bytes()));
  big_header.mutable_header()->set_length(big.size());
  v1::PutChunkRequest big_msg;
  big_msg.set_data(big);
  EXPECT_THAT(put_raw({big_header, big_msg}),
              ::testing::AnyOf(grpc::StatusCode::RESOURCE_EXHAUSTED,
                               grpc::StatusCode::INVALID_ARGUMENT));

  ASSERT_OK_AND_ASSIGN(
      auto has, client_->HasChunks("d0", "studio",
                                   {ChunkId::Of(data), ChunkId::Of(big)}));
  EXPECT_THAT(has, ::testing::ElementsAre(false, false));
  ASSERT_OK_AND_ASSIGN(auto stats, client_->NodeStats());
  EXPECT_EQ(stats[0].chunks, 0u);
}

TEST_F(NodeIntegrationTest, KillDashNineLosesNoAcknowledgedChunk) {
  std::mutex mu;
  std::vector<std::pair<ChunkId, uint64_t>> acked;  // id, seed
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      auto client = Client(kToken);
      for (uint64_t i = 0; !stop; ++i) {
        uint64_t seed = w * 1'000'000 + i;
        std::string bytes = RandomBytes(256 * 1024 + i % 1000, seed);
        ChunkId id = ChunkId::Of(bytes);
        if (client->PutChunk("d0", "studio", id, bytes).ok()) {
          std::lock_guard<std::mutex> lock(mu);
          acked.emplace_back(id, seed);
        }
      }
    });
  }
  // Let a few hundred puts land, then kill the node mid-stream.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (acked.size() >= 200) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  node_->Kill();
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_GE(acked.size(), 50u);

  ASSERT_TRUE(node_->Start());
  auto client = Client(kToken);
  for (const auto& [id, seed] : acked) {
    auto back = client->GetChunk("d0", "studio", id);
    ASSERT_OK(back) << id.ToHex();
    EXPECT_EQ(ChunkId::Of(*back), id);
    EXPECT_EQ(back->size(), 256 * 1024 + (seed % 1'000'000) % 1000);
  }
}

TEST_F(NodeIntegrationTest, BytesFlippedInBlobFilesAreDataLossNeverWrongBytes) {
  std::vector<std::pair<ChunkId, std::string>> chunks;
  for (int i = 0; i < 6; ++i) {
    std::string bytes = RandomBytes(600 * 1024, 100 + i);
    ChunkId id = ChunkId::Of(bytes);
    ASSERT_OK(client_->PutChunk("d0", "studio", id, bytes));
    chunks.emplace_back(id, bytes);
  }
  ASSERT_EQ(node_->Terminate(), 0);
  int flipped = 0;
  for (const auto& f :
       std::filesystem::directory_iterator(node_->drive_path())) {
    if (f.path().extension() != ".blob") continue;
    std::fstream io(f.path(), std::ios::in | std::ios::out | std::ios::binary);
    for (uint64_t off = 4096; off + 1 < f.file_size(); off += 300 * 1024) {
      io.seekg(static_cast<std::streamoff>(off));
      char c = 0;
      io.get(c);
      io.seekp(static_cast<std::streamoff>(off));
      io.put(static_cast<char>(c ^ 0x20));
      ++flipped;
    }
  }
  ASSERT_GT(flipped, 0);
  ASSERT_TRUE(node_->Start());
  auto client = Client(kToken);
  int data_loss = 0;
  for (const auto& [id, bytes] : chunks) {
    auto back = client->GetChunk("d0", "studio", id);
    if (back.ok()) {
      EXPECT_TRUE(*back == bytes) << "served wrong bytes for " << id.ToHex();
    } else {
      EXPECT_THAT(back, StatusIs(absl::StatusCode::kDataLoss));
      ++data_loss;
    }
  }
  EXPECT_GT(data_loss, 0);
  ASSERT_OK_AND_ASSIGN(auto stats, client->NodeStats());
  EXPECT_EQ(stats[0].checksum_failures, static_cast<uint64_t>(data_loss));
}

TEST_F(NodeIntegrationTest, SigtermShutsDownCleanlyAndKeepsData) {
  std::string bytes = RandomBytes(3 << 20, 12);
  ChunkId id = ChunkId::Of(bytes);
  ASSERT_OK(client_->PutChunk("d0", "studio", id, bytes));
  EXPECT_EQ(node_->Terminate(), 0);
  ASSERT_TRUE(node_->Start());
  ASSERT_OK_AND_ASSIGN(std::string back,
                       Client(kToken)->GetChunk("d0", "studio", id));
  EXPECT_TRUE(back == bytes);
}

// The background scrubber finds flipped bytes on its own: the copy is
// quarantined (never served again) and counted. A standalone node has no
// peer to repair from, so the chunk is then missing, not wrong.
TEST_F(NodeIntegrationTest, BackgroundScrubberQuarantinesAFlippedCopy) {
  // Passes start at most every half deadline: 2 s here.
  NodeProcess node(dir_.Sub("scrubbed"), kToken, {"--scrub-deadline", "4s"});
  ASSERT_TRUE(node.Start());
  client::NodeClientOptions o;
  o.address = node.address();
  o.cluster_token = kToken;
  client::NodeClient c(o);
  std::string bad = RandomBytes(300 * 1024, 7);
  std::string good = RandomBytes(300 * 1024, 8);
  ASSERT_OK(c.PutChunk("d0", "studio", ChunkId::Of(bad), bad));
  ASSERT_OK(c.PutChunk("d0", "studio", ChunkId::Of(good), good));
  ASSERT_EQ(node.Terminate(), 0);
  ASSERT_GT(testing::CorruptChunkOnDisk(node.drive_path(), bad, 1234), 0);
  ASSERT_TRUE(node.Start());
  o.address = node.address();  // a new port after the restart
  client::NodeClient c2(o);
  // The next pass is due within 2 s and reads 600 KiB: well under 15 s.
  absl::Status got;
  for (int i = 0; i < 150; ++i) {
    got = c2.GetChunk("d0", "studio", ChunkId::Of(bad)).status();
    if (absl::IsNotFound(got)) break;
    EXPECT_THAT(got, StatusIs(absl::StatusCode::kDataLoss));
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_THAT(got, StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(std::string back,
                       c2.GetChunk("d0", "studio", ChunkId::Of(good)));
  EXPECT_TRUE(back == good);
}

}  // namespace
}  // namespace drive
