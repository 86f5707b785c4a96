// A real single-machine cluster (coordinator + 3 nodes per region, separate
// processes from deploy/local-cluster.sh): six verified copies per chunk,
// one inter-region crossing per byte, uploads that survive kill -9, a
// region outage that commits nothing, corrupt copies that are never served.

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "drive/admin_client.h"
#include "drive/client.h"
#include "drive/node_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/local_cluster.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace drive {
namespace {

using ::drive::client::DriveClient;
using ::drive::testing::LocalCluster;
using ::drive::testing::RandomBytes;
using ::drive::testing::ReadFileOrEmpty;
using ::drive::testing::StatusIs;
using ::drive::testing::TempDir;

const std::vector<std::string> kNodes = {"w1", "w2", "w3", "e1", "e2", "e3"};

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<LocalCluster>(dir_.Sub("cluster"));
    // No background scrub: these tests look at what writers and readers
    // do with copies as they are (repair_test.cc covers the scrubber).
    ASSERT_TRUE(cluster_->Up(
        3, {"--pg-count", "128", "--node-flags", "'--scrub-max-rate 0'"}));
    client_ = Connect();
    ASSERT_NE(client_, nullptr);
  }

  std::unique_ptr<DriveClient> Connect() {
    client::ClientOptions o;
    o.coordinator = cluster_->coordinator();
    o.token = cluster_->token();
    o.account = cluster_->account();
    o.region = "west";
    o.timeout = absl::Seconds(30);
    auto c = DriveClient::Connect(o);
    EXPECT_OK(c);
    return c.ok() ? std::move(*c) : nullptr;
  }

  std::unique_ptr<client::NodeClient> Node(const std::string& name) {
    client::NodeClientOptions o;
    o.address = cluster_->node_address(name);
    o.cluster_token = cluster_->cluster_token();
    return std::make_unique<client::NodeClient>(o);
  }

  // Writes a local file of `size` pseudo-random bytes; returns its path.
  std::string LocalFile(const std::string& name, size_t size, uint64_t seed) {
    std::string path = dir_.Sub("in-" + name);
    std::ofstream(path, std::ios::binary) << RandomBytes(size, seed);
    return path;
  }

  std::string Download(const std::string& remote) {
    std::string local = dir_.Sub("out-" + std::to_string(downloads_++));
    auto got = client_->GetFile(remote, local);
    EXPECT_OK(got) << remote;
    return ReadFileOrEmpty(local);
  }

  TempDir dir_;
  std::unique_ptr<LocalCluster> cluster_;
  std::unique_ptr<DriveClient> client_;
  int downloads_ = 0;
};

TEST_F(ClusterTest,
       MixedUploadHasSixCopiesThreePerRegionAndCrossesRegionsOnce) {
  // 200 files: the sample photos, many small files, some multi-chunk ones.
  std::vector<std::pair<std::string, std::string>> files;  // remote, local
  for (const auto& f : std::filesystem::directory_iterator(
           std::string(DRIVE_SOURCE_DIR) + "/data/photos")) {
    files.emplace_back("shoot/photos/" + f.path().filename().string(),
                       f.path());
  }
  size_t i = 0;
  while (files.size() < 200) {
    size_t size = i % 40 == 0   ? (40u << 20)
                  : i % 10 == 0 ? (6u << 20) + i
                                : 10 * 1024 + i * 3000;
    files.emplace_back("shoot/gen/f" + std::to_string(i),
                       LocalFile(std::to_string(i), size, i));
    ++i;
  }
  uint64_t total = 0;
  std::set<ChunkId> chunk_ids;
  for (const auto& [remote, local] : files) {
    ASSERT_OK_AND_ASSIGN(auto info, client_->PutFile(local, remote));
    EXPECT_EQ(info.durability, "full") << remote;
    total += info.size;
    for (const auto& c : info.chunks) chunk_ids.insert(c.id);
  }

  // Every chunk: six recorded copies, three per region, distinct nodes.
  for (const auto& [remote, local] : files) {
    ASSERT_OK_AND_ASSIGN(auto st, client_->Stat(remote));
    for (const auto& c : st.chunks) {
      std::map<std::string, int> per_region;
      std::set<std::string> nodes;
      for (const auto& r : c.replicas) {
        per_region[r.region]++;
        nodes.insert(r.node);
      }
      EXPECT_EQ(c.replicas.size(), 6u) << remote;
      EXPECT_EQ(per_region["west"], 3) << remote;
      EXPECT_EQ(per_region["east"], 3) << remote;
      EXPECT_EQ(nodes.size(), 6u) << remote;
    }
  }
  // ... and physically present on exactly six nodes.
  std::vector<ChunkId> ids(chunk_ids.begin(), chunk_ids.end());
  std::vector<int> holders(ids.size());
  uint64_t cross_region = 0;
  for (const auto& name : kNodes) {
    auto node = Node(name);
    ASSERT_OK_AND_ASSIGN(auto has,
                         node->HasChunks("d0", cluster_->account(), ids));
    for (size_t k = 0; k < ids.size(); ++k) holders[k] += has[k];
    ASSERT_OK_AND_ASSIGN(uint64_t cross, node->CrossRegionBytesIn());
    cross_region += cross;
  }
  for (size_t k = 0; k < ids.size(); ++k)
    EXPECT_EQ(holders[k], 6) << ids[k].ToHex();
  // Each byte crossed from west to east exactly once.
  EXPECT_EQ(cross_region, total);

  // Downloads are byte-identical.
  for (size_t k = 0; k < files.size(); k += 7) {
    EXPECT_TRUE(Download(files[k].first) == ReadFileOrEmpty(files[k].second))
        << files[k].first;
  }
}

TEST_F(ClusterTest, UploadSurvivesKillDashNineOfOneNode) {
  std::vector<std::string> locals;
  for (int k = 0; k < 30; ++k)
    locals.push_back(LocalFile("k" + std::to_string(k), 3 << 20, 1000 + k));
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cluster_->StopNode("w2", /*kill9=*/true);
  });
  int ok = 0;
  for (int k = 0; k < 30; ++k) {
    auto info = client_->PutFile(locals[k], "kill/f" + std::to_string(k));
    EXPECT_OK(info) << k;
    if (info.ok()) {
      ++ok;
      EXPECT_THAT(info->durability, ::testing::AnyOf("geo", "full"));
    }
  }
  killer.join();
  EXPECT_EQ(ok, 30);
  for (int k = 0; k < 30; k += 5) {
    EXPECT_TRUE(Download("kill/f" + std::to_string(k)) ==
                ReadFileOrEmpty(locals[k]));
  }
}

TEST_F(ClusterTest,
       LosingTheOtherRegionFailsUploadsAndCommitsNothingButReadsWork) {
  std::string before = LocalFile("before", 5 << 20, 7);
  ASSERT_OK(client_->PutFile(before, "region/before"));
  for (const char* n : {"e1", "e2", "e3"})
    ASSERT_TRUE(cluster_->StopNode(n, false));

  std::string after = LocalFile("after", 2 << 20, 8);
  auto put = client_->PutFile(after, "region/after");
  EXPECT_THAT(put, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(put.status().message(), ::testing::HasSubstr("quorum"));
  EXPECT_THAT(client_->Stat("region/after"),
              StatusIs(absl::StatusCode::kNotFound));

  EXPECT_TRUE(Download("region/before") == ReadFileOrEmpty(before));
}

TEST_F(ClusterTest, CorruptCopyIsNotServedAndIsReported) {
  std::string local = LocalFile("victim", 1 << 20, 9);
  ASSERT_OK_AND_ASSIGN(auto info, client_->PutFile(local, "corrupt/victim"));
  // The reader (region west) tries the recorded west copies in id order.
  std::string first_west;
  for (const auto& r : info.chunks[0].replicas) {
    if (r.region == "west" && (first_west.empty() || r.drive < first_west))
      first_west = r.drive;
  }
  std::string node = first_west.substr(0, first_west.find('/'));
  ASSERT_TRUE(cluster_->StopNode(node, false));
  int flipped = 0;
  for (const auto& f :
       std::filesystem::directory_iterator(cluster_->drive_dir(node))) {
    if (f.path().extension() != ".blob") continue;
    std::fstream io(f.path(), std::ios::in | std::ios::out | std::ios::binary);
    for (uint64_t off = 4096; off + 1 < f.file_size(); off += 64 * 1024) {
      io.seekp(static_cast<std::streamoff>(off));
      io.put('\x55');
      ++flipped;
    }
  }
  ASSERT_GT(flipped, 0);
  ASSERT_TRUE(cluster_->StartNode(node));

  EXPECT_TRUE(Download("corrupt/victim") == ReadFileOrEmpty(local));
  client::AdminClient admin(cluster_->coordinator(), cluster_->admin_token());
  ASSERT_OK_AND_ASSIGN(auto status, admin.Status());
  EXPECT_GE(status.bad_replicas_reported, 1u);
}

TEST_F(ClusterTest, ReRunOfAnInterruptedUploadResendsNoStoredChunk) {
  std::string bytes = RandomBytes(6 * kMaxChunkBytes + 12345, 10);
  // First attempt dies after three chunks' worth of bytes.
  size_t pos = 0;
  auto failing = [&](char* buf, size_t max) -> absl::StatusOr<size_t> {
    if (pos >= 3 * kMaxChunkBytes) return absl::AbortedError("connection lost");
    size_t n = std::min(max, 3 * kMaxChunkBytes - pos);
    std::memcpy(buf, bytes.data() + pos, n);
    pos += n;
    return n;
  };
  client::ClientOptions o = client_->options();
  o.parallel_chunks = 1;  // write each chunk before reading the next
  ASSERT_OK_AND_ASSIGN(auto serial, DriveClient::Connect(o));
  EXPECT_THAT(serial->UploadStream(failing, "resume/big", "", 0),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(client_->Stat("resume/big"),
              StatusIs(absl::StatusCode::kNotFound));

  std::string local = dir_.Sub("big");
  std::ofstream(local, std::ios::binary) << bytes;
  ASSERT_OK_AND_ASSIGN(auto second, serial->Upload(local, "resume/big"));
  EXPECT_EQ(second.chunks_skipped, 3u);
  EXPECT_EQ(second.bytes_sent, bytes.size() - 3 * kMaxChunkBytes);
  ASSERT_OK(serial->Commit({second}));
  // A third run sends nothing at all.
  ASSERT_OK_AND_ASSIGN(auto third, serial->Upload(local, "resume/big"));
  EXPECT_EQ(third.bytes_sent, 0u);
  EXPECT_TRUE(Download("resume/big") == bytes);
}

}  // namespace
}  // namespace drive
