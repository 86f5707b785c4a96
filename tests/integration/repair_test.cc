// Keeping six verified copies, with real processes and real bytes on disk:
// a cluster from deploy/local-cluster.sh (3 or 4 nodes per region on
// 127.0.0.1) whose copies are corrupted, wiped, killed, cut off by region,
// drained, garbage-collected, and whose coordinator loses its disk.

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/placement_group.h"
#include "drive/admin_client.h"
#include "drive/client.h"
#include "drive/fsck.h"
#include "drive/metadata_restore.h"
#include "drive/node_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/disk_corruption.h"
#include "tests/support/http_client.h"
#include "tests/support/local_cluster.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace drive {
namespace {

using ::drive::client::AdminClient;
using ::drive::client::DriveClient;
using ::drive::testing::LocalCluster;
using ::drive::testing::RandomBytes;
using ::drive::testing::ReadFileOrEmpty;
using ::drive::testing::StatusIs;
using ::drive::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr uint32_t kPgs = 32;

class RepairTest : public ::testing::Test {
 protected:
  // Starts a cluster; repair sweeps every `repair_interval` (and when
  // something calls for one), no scheduled GC or backups unless a test
  // asks, no background scrub (the tests scrub on demand, so nothing races
  // them).
  void Start(int per_region, const std::string& coordinator_flags = "",
             const std::string& extra = "",
             const std::string& repair_interval = "1s") {
    cluster_ = std::make_unique<LocalCluster>(dir_.Sub("cluster"));
    std::vector<std::string> args = {
        "--pg-count",
        std::to_string(kPgs),
        "--coordinator-flags",
        "'--repair-interval " + repair_interval +
            " --gc-interval 0 --backup-interval 0 " + coordinator_flags + "'",
        "--node-flags",
        "'--scrub-max-rate 0'"};
    if (!extra.empty()) args.push_back(extra);
    ASSERT_TRUE(cluster_->Up(per_region, args));
    client_ = Connect();
    ASSERT_NE(client_, nullptr);
    admin_ = std::make_unique<AdminClient>(cluster_->coordinator(),
                                           cluster_->admin_token());
    for (const char* r : {"w", "e"}) {
      for (int i = 1; i <= per_region; ++i)
        nodes_.push_back(absl::StrCat(r, i));
    }
  }

  std::unique_ptr<DriveClient> Connect(int quorum_remote = 1) {
    client::ClientOptions o;
    o.coordinator = cluster_->coordinator();
    o.token = cluster_->token();
    o.account = cluster_->account();
    o.region = "west";
    o.quorum_remote = quorum_remote;
    o.chunk_timeout = absl::Seconds(5);
    auto c = DriveClient::Connect(o);
    EXPECT_OK(c);
    return c.ok() ? std::move(*c) : nullptr;
  }

  // Uploads `n` files of `size` bytes (seeded); returns remote path -> bytes.
  std::map<std::string, std::string> Upload(int n, size_t size, int seed,
                                            const std::string& prefix = "f") {
    std::map<std::string, std::string> out;
    for (int i = 0; i < n; ++i) {
      std::string remote = absl::StrCat("shoot/", prefix, i);
      std::string bytes = RandomBytes(size + i * 777, seed * 1000 + i);
      std::string local = dir_.Sub("up-" + prefix + std::to_string(i));
      std::ofstream(local, std::ios::binary) << bytes;
      auto f = client_->PutFile(local, remote);
      EXPECT_OK(f) << remote;
      out[remote] = bytes;
    }
    return out;
  }

  void ExpectReadsBack(const std::map<std::string, std::string>& files) {
    for (const auto& [remote, bytes] : files) {
      std::string local = dir_.Sub("down-" + std::to_string(downloads_++));
      auto got = client_->GetFile(remote, local);
      ASSERT_OK(got) << remote;
      EXPECT_TRUE(ReadFileOrEmpty(local) == bytes) << remote;
    }
  }

  client::NodeClient Node(const std::string& name) {
    client::NodeClientOptions o;
    o.address = cluster_->node_address(name);
    o.cluster_token = cluster_->cluster_token();
    o.timeout = absl::Seconds(5);
    return client::NodeClient(o);
  }

  // Which running nodes hold the chunk.
  std::set<std::string> Holders(const ChunkId& id,
                                const std::set<std::string>& skip = {}) {
    std::set<std::string> out;
    for (const auto& n : nodes_) {
      if (skip.count(n)) continue;
      auto has = Node(n).HasChunks("d0", cluster_->account(), {id});
      if (has.ok() && (*has)[0]) out.insert(n);
    }
    return out;
  }

  std::vector<ChunkId> Chunks(const std::map<std::string, std::string>& files) {
    std::vector<ChunkId> out;
    for (const auto& [remote, bytes] : files) {
      auto st = client_->Stat(remote);
      EXPECT_OK(st);
      if (!st.ok()) continue;
      for (const auto& c : st->chunks) out.push_back(c.id);
    }
    return out;
  }

  // Current PG members (node names) of a chunk.
  std::set<std::string> Placed(const ChunkId& id) {
    auto pgs = admin_->ListPgs(false);
    EXPECT_OK(pgs);
    std::set<std::string> out;
    if (!pgs.ok()) return out;
    uint32_t pg = PgOf(cluster_->account(), id, kPgs);
    for (const auto& d : (*pgs)[pg].drives)
      out.insert(d.substr(0, d.find('/')));
    return out;
  }

  // Runs repair sweeps until nothing is missing; fails after `limit`.
  void RepairUntilComplete(absl::Duration limit = absl::Seconds(90)) {
    absl::Time until = absl::Now() + limit;
    while (absl::Now() < until) {
      auto r = admin_->Repair(/*wait=*/true);
      ASSERT_OK(r);
      if (r->backlog_chunks() == 0) return;
    }
    FAIL() << "repair did not complete in " << limit;
  }

  client::FsckReport Fsck(bool deep = false) {
    client::FsckOptions o;
    o.coordinator = cluster_->coordinator();
    o.admin_token = cluster_->admin_token();
    o.account = cluster_->account();
    o.deep = deep;
    auto r = client::RunFsck(o);
    EXPECT_OK(r);
    return r.ok() ? *r : client::FsckReport{};
  }

  // Runs client/TOOL ARGS (drive or drive-admin) against the cluster;
  // returns the exit code and what it printed (stdout and stderr).
  std::pair<int, std::string> Cli(const std::string& tool,
                                  const std::string& args) {
    std::string cmd =
        absl::StrCat("DRIVE_COORDINATOR=", cluster_->coordinator(),
                     " DRIVE_ADMIN_TOKEN=", cluster_->admin_token(),
                     " DRIVE_ACCOUNT=", cluster_->account(),
                     " DRIVE_TOKEN=", cluster_->token(), " ", DRIVE_BINARY_DIR,
                     "/client/", tool, " ", args, " 2>&1");
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return {-1, ""};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
    int rc = pclose(p);
    return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, out};
  }

  // Polls status until the drive is in `state` (at most 20 s); returns
  // the state it last had.
  std::string WaitForDriveState(const std::string& id,
                                const std::string& state) {
    absl::Time until = absl::Now() + absl::Seconds(20);
    std::string now;
    while (absl::Now() < until) {
      auto st = admin_->Status();
      if (st.ok()) {
        for (const auto& d : st->drives) {
          if (d.id == id) now = d.state;
        }
      }
      if (now == state) break;
      absl::SleepFor(absl::Milliseconds(200));
    }
    return now;
  }

  // GET /metrics of a daemon whose ready file is DIR/`who`/ready.json.
  std::string Metrics(const std::string& who) {
    std::string ready =
        ReadFileOrEmpty(cluster_->dir() + "/" + who + "/ready.json");
    size_t at = ready.find("\"metrics_port\": ");
    if (at == std::string::npos) return "";
    int port = std::stoi(ready.substr(at + 16));
    testing::HttpConnection c(port);
    auto reply = c.Request("GET", "/metrics");
    return reply ? reply->body : "";
  }

  TempDir dir_;
  std::unique_ptr<LocalCluster> cluster_;
  std::unique_ptr<DriveClient> client_;
  std::unique_ptr<AdminClient> admin_;
  std::vector<std::string> nodes_;
  int downloads_ = 0;
};

TEST_F(RepairTest, ScrubFindsFlippedBytesAndRepairsTheCopy) {
  Start(3);
  auto files = Upload(4, 300 * 1024, 1);
  const auto& [path, bytes] = *files.begin();
  ChunkId id = Chunks({{path, bytes}})[0];
  std::string victim = *Placed(id).begin();
  ASSERT_TRUE(cluster_->StopNode(victim, false));
  ASSERT_GT(
      testing::CorruptChunkOnDisk(cluster_->drive_dir(victim), bytes, 4321), 0);
  ASSERT_TRUE(cluster_->StartNode(victim));
  // Wait until the node heartbeats with scrub state: it registered and
  // fetched the placement map (which its scrubber repairs from) before.
  absl::Time until = absl::Now() + absl::Seconds(30);
  bool ready = false;
  while (!ready && absl::Now() < until) {
    ASSERT_OK_AND_ASSIGN(auto st, admin_->Status());
    for (const auto& d : st.drives) {
      ready |= d.node == victim && d.state == "up" && d.scrub.reported;
    }
    if (!ready) absl::SleepFor(absl::Milliseconds(200));
  }
  ASSERT_TRUE(ready);
  ASSERT_OK_AND_ASSIGN(auto results, admin_->Scrub(victim + "/d0", true));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].error, "");
  EXPECT_EQ(results[0].corrupt_found, 1u);
  EXPECT_EQ(results[0].repaired, 1u);
  EXPECT_EQ(results[0].verified_chunks, 3u);  // the other three were good
  // The copy on that node is good again, and it is reported.
  ASSERT_OK_AND_ASSIGN(std::string back,
                       Node(victim).GetChunk("d0", cluster_->account(), id));
  EXPECT_TRUE(back == bytes);
  ExpectReadsBack(files);
  absl::SleepFor(absl::Seconds(2));  // a heartbeat carries the counters
  ASSERT_OK_AND_ASSIGN(auto st, admin_->Status());
  for (const auto& d : st.drives) {
    if (d.node != victim) continue;
    EXPECT_EQ(d.scrub.corrupt_found, 1u);
    EXPECT_EQ(d.scrub.repaired, 1u);
    EXPECT_EQ(d.scrub.quarantined, 1u);
  }
  EXPECT_TRUE(Fsck(/*deep=*/true).ok());
}

TEST_F(RepairTest, WipedDriveIsBackfilledAndFsckIsClean) {
  Start(3);
  auto files = Upload(12, 200 * 1024, 2);
  std::vector<ChunkId> ids = Chunks(files);
  ASSERT_TRUE(cluster_->StopNode("e2", false));
  cluster_->WipeDrive("e2");
  ASSERT_TRUE(cluster_->StartNode("e2"));
  RepairUntilComplete();
  for (const auto& id : ids) {
    EXPECT_EQ(Holders(id).size(), 6u) << id.ToHex();
    EXPECT_TRUE(Holders(id).count("e2")) << id.ToHex();
  }
  EXPECT_TRUE(Fsck(/*deep=*/true).ok());
  ExpectReadsBack(files);
}

TEST_F(RepairTest, KilledNodeIsReplacedAfterTheOutTimeout) {
  Start(4, "", "--down-after 2s --out-after 5s");
  auto files = Upload(12, 150 * 1024, 3);
  std::vector<ChunkId> ids = Chunks(files);
  ASSERT_TRUE(cluster_->StopNode("w1", /*kill9=*/true));
  // Out after 5 s of silence; the map moves w1's PGs, repair refills them.
  absl::Time until = absl::Now() + absl::Seconds(60);
  bool out = false;
  while (!out && absl::Now() < until) {
    ASSERT_OK_AND_ASSIGN(auto st, admin_->Status());
    for (const auto& d : st.drives) out |= d.node == "w1" && d.state == "out";
    if (!out) absl::SleepFor(absl::Milliseconds(500));
  }
  ASSERT_TRUE(out) << "w1 never went out";
  RepairUntilComplete();
  for (const auto& id : ids) {
    std::set<std::string> holders = Holders(id, {"w1"});
    EXPECT_EQ(holders, Placed(id)) << id.ToHex();
    int west = 0, east = 0;
    for (const auto& h : holders) (h[0] == 'w' ? west : east)++;
    EXPECT_EQ(west, 3);
    EXPECT_EQ(east, 3);
    EXPECT_FALSE(holders.count("w1"));
  }
  ExpectReadsBack(files);
}

TEST_F(RepairTest, LostRegionStillReadsRepairsOneRegionDataFirstWhenBack) {
  Start(3, "--allow-local-writes true", "--down-after 2s --out-after 10m");
  auto files = Upload(6, 100 * 1024, 4);
  for (const char* n : {"e1", "e2", "e3"}) {
    ASSERT_TRUE(cluster_->StopNode(n, /*kill9=*/true));
  }
  // Reads keep working from the other region.
  ExpectReadsBack(files);
  // Once they are down, status shows one-region data first in repair order.
  absl::SleepFor(absl::Seconds(3));
  auto local_writer = Connect(/*quorum_remote=*/0);
  ASSERT_NE(local_writer, nullptr);
  std::string bytes = RandomBytes(250 * 1024, 99);
  std::string local = dir_.Sub("degraded");
  std::ofstream(local, std::ios::binary) << bytes;
  ASSERT_OK_AND_ASSIGN(auto written,
                       local_writer->PutFile(local, "shoot/during-outage"));
  EXPECT_EQ(written.durability, "local");
  files["shoot/during-outage"] = bytes;
  ASSERT_OK_AND_ASSIGN(auto repair, admin_->Repair(/*wait=*/true));
  ASSERT_FALSE(repair.backlog.empty());
  EXPECT_EQ(repair.backlog[0].risk, "one-region");
  EXPECT_THAT(repair.backlog[0].blocked, ::testing::HasSubstr("region east"));
  ASSERT_OK_AND_ASSIGN(auto st, admin_->Status());
  EXPECT_EQ(st.pgs_one_region, kPgs);
  // They come back: anti-entropy copies what was written meanwhile.
  for (const char* n : {"e1", "e2", "e3"}) ASSERT_TRUE(cluster_->StartNode(n));
  RepairUntilComplete();
  for (const auto& id : Chunks({{"shoot/during-outage", bytes}})) {
    EXPECT_EQ(Holders(id).size(), 6u);
  }
  ASSERT_OK_AND_ASSIGN(auto now, client_->Stat("shoot/during-outage"));
  EXPECT_EQ(now.durability, "full");
  EXPECT_TRUE(Fsck().ok());
  ExpectReadsBack(files);
}

TEST_F(RepairTest, DrainNeverLowersAnyChunksCopyCount) {
  Start(4);
  auto files = Upload(16, 200 * 1024, 5);
  std::vector<ChunkId> ids = Chunks(files);
  std::map<ChunkId, size_t> before;
  for (const auto& id : ids) before[id] = Holders(id).size();
  ASSERT_OK(admin_->Drain("w2/d0", false));
  // Sample every chunk's copies while the drain runs.
  absl::Time until = absl::Now() + absl::Seconds(90);
  bool done = false;
  int samples = 0;
  while (!done && absl::Now() < until) {
    for (const auto& id : ids) {
      EXPECT_GE(Holders(id).size(), before[id]) << id.ToHex();
    }
    ++samples;
    ASSERT_OK_AND_ASSIGN(auto st, admin_->Status());
    for (const auto& d : st.drives) {
      if (d.id == "w2/d0") done = d.state == "out";
    }
  }
  ASSERT_TRUE(done) << "drain did not finish";
  EXPECT_GE(samples, 1);
  for (const auto& id : ids) {
    EXPECT_EQ(Holders(id, {"w2"}).size(), 6u);
    EXPECT_EQ(Holders(id, {"w2"}), Placed(id));
  }
  EXPECT_TRUE(Fsck().ok());
  ExpectReadsBack(files);
}

TEST_F(RepairTest, DeletedFilesChunksAreCollectedEverywhereAndStayGone) {
  Start(3, "--trash-retention 1s --gc-grace 1s", "--down-after 2s");
  auto keep = Upload(3, 120 * 1024, 6, "keep");
  auto gone = Upload(3, 120 * 1024, 7, "gone");
  std::vector<ChunkId> gone_ids = Chunks(gone);
  for (const auto& [path, bytes] : gone) ASSERT_OK(client_->Delete(path));
  // e3 is down while GC runs: its copies survive it, for now.
  ASSERT_TRUE(cluster_->StopNode("e3", false));
  absl::SleepFor(absl::Seconds(3));  // retention, then grace
  ASSERT_OK_AND_ASSIGN(auto dry, admin_->CollectGarbage(/*dry_run=*/true));
  EXPECT_EQ(dry.trash_expired, 3u);
  for (const auto& id : gone_ids) EXPECT_EQ(Holders(id, {"e3"}).size(), 5u);
  ASSERT_OK_AND_ASSIGN(auto gc, admin_->CollectGarbage(false));
  EXPECT_EQ(gc.trash_expired, 3u);
  absl::SleepFor(absl::Seconds(1.5));  // the grace starts at the expiry
  ASSERT_OK_AND_ASSIGN(gc, admin_->CollectGarbage(false));
  EXPECT_EQ(gc.chunks, gone_ids.size());
  for (const auto& id : gone_ids) EXPECT_TRUE(Holders(id, {"e3"}).empty());
  // e3 returns with the old copies: anti-entropy must not spread them.
  ASSERT_TRUE(cluster_->StartNode("e3"));
  absl::SleepFor(absl::Seconds(2));
  RepairUntilComplete();
  for (const auto& id : gone_ids) {
    EXPECT_EQ(Holders(id), std::set<std::string>({"e3"})) << id.ToHex();
  }
  // The next collection finds them there, unreferenced, and removes them.
  ASSERT_OK_AND_ASSIGN(gc, admin_->CollectGarbage(false));
  EXPECT_EQ(gc.chunks, gone_ids.size());
  for (const auto& id : gone_ids) EXPECT_TRUE(Holders(id).empty());
  for (const auto& [path, bytes] : gone) {
    EXPECT_THAT(client_->Stat(path), StatusIs(absl::StatusCode::kNotFound));
  }
  ExpectReadsBack(keep);
  EXPECT_TRUE(Fsck().ok());
}

// The same bytes uploaded again while GC collects them: whatever the
// interleaving, the committed file is readable.
TEST_F(RepairTest, UploadDeduplicatedOntoCollectedChunksNeverLosesData) {
  Start(3, "--trash-retention 1s --gc-grace 1s");
  auto first = Upload(4, 150 * 1024, 8, "dup");
  for (const auto& [path, bytes] : first) ASSERT_OK(client_->Delete(path));
  absl::SleepFor(absl::Seconds(3));
  ASSERT_OK(admin_->CollectGarbage(false));  // expires the trash
  absl::SleepFor(absl::Seconds(2));          // grace
  // The same content again, under new names, while GC runs.
  std::thread gc([&] {
    for (int i = 0; i < 3; ++i) admin_->CollectGarbage(false).IgnoreError();
  });
  std::map<std::string, std::string> again;
  int i = 0;
  for (const auto& [path, bytes] : first) {
    std::string local = dir_.Sub("again" + std::to_string(i));
    std::ofstream(local, std::ios::binary) << bytes;
    std::string remote = "shoot/again" + std::to_string(i++);
    ASSERT_OK(client_->PutFile(local, remote));
    again[remote] = bytes;
  }
  gc.join();
  ASSERT_OK(admin_->CollectGarbage(false));
  ExpectReadsBack(again);
  RepairUntilComplete();
  EXPECT_TRUE(Fsck().ok());
}

TEST_F(RepairTest, CoordinatorRebuiltFromBackupAfterLosingItsDisk) {
  Start(3);
  auto before = Upload(5, 90 * 1024, 9, "before");
  ASSERT_OK_AND_ASSIGN(auto backup, admin_->BackupMetadata());
  EXPECT_FALSE(backup.id.empty());
  EXPECT_GT(backup.bytes, 0u);
  auto after = Upload(2, 90 * 1024, 10, "after");  // lost with the disk
  ASSERT_TRUE(cluster_->StopCoordinator(/*kill9=*/true));
  std::filesystem::remove_all(cluster_->coordinator_data());

  client::RestoreOptions o;
  o.nodes = {cluster_->node_address("w1"), cluster_->node_address("e2")};
  o.cluster_token = cluster_->cluster_token();
  o.data_dir = cluster_->coordinator_data();
  ASSERT_OK_AND_ASSIGN(auto restored, client::RestoreMetadata(o));
  EXPECT_EQ(restored.backup.id, backup.id);
  ASSERT_TRUE(cluster_->StartCoordinator());
  // Nodes heartbeat again; the cluster becomes healthy with the files
  // committed up to the backup.
  absl::Time until = absl::Now() + absl::Seconds(60);
  bool healthy = false;
  while (!healthy && absl::Now() < until) {
    auto st = admin_->Status();
    healthy = st.ok() && st->pgs_full == kPgs;
    if (!healthy) absl::SleepFor(absl::Milliseconds(500));
  }
  ASSERT_TRUE(healthy);
  client_ = Connect();
  ASSERT_NE(client_, nullptr);
  ExpectReadsBack(before);
  for (const auto& [path, bytes] : after) {
    EXPECT_THAT(client_->Stat(path), StatusIs(absl::StatusCode::kNotFound));
  }
  EXPECT_TRUE(Fsck().ok());
}

// Issue 10, finding 6: a chunk that no drive holds is lost data, and every
// operator surface says so (repair used to report "nothing is missing").
TEST_F(RepairTest, Issue10ChunkOnNoDriveIsReportedLostEverywhere) {
  Start(3);
  auto files = Upload(3, 100 * 1024, 21);
  std::vector<ChunkId> f1 = Chunks({{"shoot/f1", files["shoot/f1"]}});
  ASSERT_EQ(f1.size(), 1u);
  ChunkId gone = f1[0];
  RepairUntilComplete();
  // Every copy goes, behind the coordinator's back.
  for (const auto& n : nodes_) {
    ASSERT_OK(Node(n).DeleteChunks("d0", cluster_->account(), {gone}));
  }
  ASSERT_TRUE(Holders(gone).empty());

  auto [repair_rc, repair_out] = Cli("drive-admin", "repair --wait");
  EXPECT_EQ(repair_rc, 1) << repair_out;
  EXPECT_THAT(repair_out, HasSubstr("1 chunk LOST"));
  EXPECT_THAT(repair_out, HasSubstr("demo/shoot/f1"));
  EXPECT_THAT(repair_out, Not(HasSubstr("nothing is missing")));

  auto [status_rc, status_out] = Cli("drive-admin", "status");
  EXPECT_EQ(status_rc, 1) << status_out;
  EXPECT_THAT(status_out, HasSubstr("1 chunk LOST"));
  EXPECT_THAT(status_out, HasSubstr("demo/shoot/f1"));

  auto [stat_rc, stat_out] = Cli("drive", "stat --json shoot/f1");
  EXPECT_EQ(stat_rc, 0) << stat_out;
  EXPECT_THAT(stat_out, HasSubstr("\"durability\": \"lost\""));
  auto [ok_rc, ok_out] = Cli("drive", "stat --json shoot/f0");
  EXPECT_THAT(ok_out, HasSubstr("\"durability\": \"full\""));

  EXPECT_THAT(Metrics("coordinator"), HasSubstr("drive_lost_chunks 1"));
}

// Issue 10, finding 14: one drive whose RocksDB cannot be opened no longer
// stops its node; it is reported failed, its PGs get copies elsewhere, its
// files are left alone, and an empty directory puts it back in service.
TEST_F(RepairTest, Issue10NodeStartsWithoutItsFailedDrive) {
  Start(3);
  auto files = Upload(8, 150 * 1024, 22);
  // e1 gets a second drive, which repair fills.
  const std::string ndir = cluster_->dir() + "/nodes/e1";
  const std::string d1 = ndir + "/d1";
  ASSERT_TRUE(cluster_->StopNode("e1", false));
  {
    std::string cmd = ReadFileOrEmpty(ndir + "/cmd");
    while (!cmd.empty() && cmd.back() == '\n') cmd.pop_back();
    std::ofstream(ndir + "/cmd") << cmd << " --drive d1=" << d1 << "\n";
  }
  ASSERT_TRUE(cluster_->StartNode("e1"));
  ASSERT_EQ(WaitForDriveState("e1/d1", "up"), "up");
  // The new drive gets PGs when the coordinator next remaps, and its chunk
  // count reaches status with a heartbeat: repair until status shows it.
  uint64_t d1_chunks = 0;
  for (absl::Time until = absl::Now() + absl::Seconds(60);
       d1_chunks == 0 && absl::Now() < until;) {
    RepairUntilComplete();
    ASSERT_OK_AND_ASSIGN(auto st, admin_->Status());
    for (const auto& d : st.drives) {
      if (d.id == "e1/d1") d1_chunks = d.chunks;
    }
    if (d1_chunks == 0) absl::SleepFor(absl::Milliseconds(500));
  }
  ASSERT_GT(d1_chunks, 0u);

  // A disk fault takes d1's CURRENT and MANIFEST files.
  ASSERT_TRUE(cluster_->StopNode("e1", false));
  size_t left = 0;
  for (const auto& e : std::filesystem::directory_iterator(d1)) {
    std::string name = e.path().filename().string();
    if (name == "CURRENT" || name.starts_with("MANIFEST-")) {
      std::filesystem::remove(e.path());
    } else {
      ++left;
    }
  }
  ASSERT_TRUE(cluster_->StartNode("e1"));
  // d0 serves.
  std::vector<ChunkId> ids = Chunks(files);
  ASSERT_FALSE(ids.empty());
  ChunkId first = ids[0];
  ASSERT_OK_AND_ASSIGN(
      auto has, Node("e1").HasChunks("d0", cluster_->account(), {first}));
  EXPECT_TRUE(has[0]);
  // Status says which drive failed and why, and exits 1.
  ASSERT_EQ(WaitForDriveState("e1/d1", "failed"), "failed");
  auto [status_rc, status_out] = Cli("drive-admin", "status");
  EXPECT_EQ(status_rc, 1) << status_out;
  EXPECT_THAT(status_out, HasSubstr("drive e1/d1 failed: DATA_LOSS"));
  EXPECT_THAT(status_out, HasSubstr("no RocksDB CURRENT file"));
  EXPECT_THAT(Metrics("nodes/e1"),
              HasSubstr("drive_drive_failed{drive=\"d1\"} 1"));
  EXPECT_THAT(ReadFileOrEmpty(ndir + "/log"), HasSubstr("event=drive_failed"));
  // Nothing of the damaged drive was formatted over.
  size_t after = 0;
  for (const auto& e : std::filesystem::directory_iterator(d1)) {
    after += e.path().filename().string() != "LOCK";
  }
  EXPECT_GE(after, left - 1);
  // Its PGs were remapped and refilled without it.
  RepairUntilComplete();
  EXPECT_TRUE(Fsck(/*deep=*/true).ok());
  ExpectReadsBack(files);

  // The replaced disk: an empty directory, and a restart.
  ASSERT_TRUE(cluster_->StopNode("e1", false));
  std::filesystem::remove_all(d1);
  std::filesystem::create_directories(d1);
  ASSERT_TRUE(cluster_->StartNode("e1"));
  EXPECT_EQ(WaitForDriveState("e1/d1", "up"), "up");
  RepairUntilComplete();
  EXPECT_TRUE(Fsck().ok());
}

// Issue 10, finding 15: right after a node restarted with an emptied
// drive, `repair --wait` exited 0 now and then while chunks still had five
// copies. Each round recreates what made it happen: a sweep sees a chunk
// that is not committed yet on every drive but the victim's (nothing to
// do), then the chunk reaches the victim and is committed (its PG is in
// sync), then the victim's disk is replaced, which brings the PG's digests
// back to what that sweep saw (no sweep ran while it was stopped).
// `repair --wait` must still find the missing copy, and must not answer
// before the restarted node has reported.
TEST_F(RepairTest, Issue10RepairWaitAfterADiskSwapLeavesSixCopies) {
  // Sweeps only when asked, as with the default 30 s interval and a quick
  // restart: none runs while the victim is stopped.
  Start(3, "", "", "1h");
  // The first scheduled sweep runs 2 s after the coordinator starts.
  absl::SleepFor(absl::Seconds(3));
  const std::vector<std::string> victims = {"e1", "w2", "e3", "w1", "e2"};
  std::set<uint32_t> used_pgs;
  std::vector<ChunkId> ids;
  int seed = 0;
  for (size_t round = 0; round < victims.size(); ++round) {
    const std::string& victim = victims[round];
    // A chunk alone in its PG, so the PG's digests repeat exactly.
    std::string bytes;
    ChunkId id;
    do {
      bytes = RandomBytes(64 * 1024, 7000 + seed++);
      id = ChunkId::Of(bytes);
    } while (used_pgs.count(PgOf(cluster_->account(), id, kPgs)));
    used_pgs.insert(PgOf(cluster_->account(), id, kPgs));
    ids.push_back(id);
    for (const auto& n : nodes_) {
      if (n == victim) continue;
      ASSERT_OK(Node(n).PutChunk("d0", cluster_->account(), id, bytes));
    }
    ASSERT_OK(admin_->Repair(/*wait=*/true));  // sees it uncommitted
    ASSERT_OK(Node(victim).PutChunk("d0", cluster_->account(), id, bytes));
    std::string local = dir_.Sub(absl::StrCat("swap-", round));
    std::ofstream(local, std::ios::binary) << bytes;
    ASSERT_OK_AND_ASSIGN(auto info,
                         client_->PutFile(local, absl::StrCat("swap/", round)));
    ASSERT_EQ(info.durability, "full");  // deduplicated onto all six
    ASSERT_OK(admin_->Repair(/*wait=*/true));

    ASSERT_TRUE(cluster_->StopNode(victim, false));
    cluster_->WipeDrive(victim);
    ASSERT_TRUE(cluster_->StartNode(victim));
    auto [rc, out] = Cli("drive-admin", "repair --wait");
    ASSERT_EQ(rc, 0) << "round " << round << ": " << out;
    for (const auto& c : ids) {
      ASSERT_EQ(Holders(c).size(), 6u)
          << "round " << round << " chunk " << c.ToHex() << "\n"
          << out;
    }
  }
  EXPECT_TRUE(Fsck(/*deep=*/true).ok());
}

}  // namespace
}  // namespace drive
