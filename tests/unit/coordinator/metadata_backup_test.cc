#include "daemon/coordinator/metadata_backup.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fake_env.h"
#include "tests/support/fake_nodes.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_meta_store.h"

namespace drive::coordinator {
namespace {

using ::drive::testing::FakeEnv;
using ::drive::testing::FakeNodes;
using ::drive::testing::TempDir;
using ::testing::ElementsAre;

TEST(BackupsToKeepTest, KeepsTheNewestOfRecentDaysAndMonths) {
  std::vector<std::string> ids = {
      "20260105T010000Z", "20260105T020000Z",  // January: newest of Jan 5
      "20260301T000000Z",                      // March
      "20261129T100000Z", "20261130T080000Z", "20261130T090000Z",
      "20261201T010000Z", "20261201T020000Z"};
  EXPECT_THAT(BackupsToKeep(ids, /*keep_daily=*/2, /*keep_monthly=*/12),
              ElementsAre("20260105T020000Z", "20260301T000000Z",
                          "20261130T090000Z", "20261201T020000Z"));
  // One day, no months: only the newest.
  EXPECT_THAT(BackupsToKeep(ids, 1, 0), ElementsAre("20261201T020000Z"));
  EXPECT_TRUE(BackupsToKeep({}, 7, 12).empty());
}

// Stores backup files straight into the namespace, as the real sink's
// upload and commit would.
class NamespaceSink : public BackupSink {
 public:
  explicit NamespaceSink(Namespace* ns) : ns_(ns) {}
  absl::StatusOr<FileRecord> StoreFile(const std::string& local,
                                       const std::string& remote) override {
    std::ifstream in(local, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    std::string bytes = buf.str();
    FileRecord f;
    f.path = remote;
    f.size = bytes.size();
    f.hash = ChunkId::Of(bytes);
    if (!bytes.empty()) f.chunks.push_back({f.hash, f.size, {"w1/d0"}});
    f.durability = "full";
    ++stored;
    auto c = ns_->Commit(kSystemAccount, {f}, nullptr);
    if (!c.ok()) return c.status();
    return f;
  }
  int stored = 0;

 private:
  Namespace* ns_;
};

class MetadataBackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_,
                         drive::testing::OpenTestMetaStore(dir_.Sub("meta")));
    RegistryOptions ro;
    ro.regions = {"west", "east"};
    ro.pg_count = 8;
    ro.down_after = absl::Hours(24 * 400);
    ro.out_after = absl::Hours(24 * 500);
    registry_ = std::make_unique<NodeRegistry>(store_.get(), &env_, ro);
    ns_ = std::make_unique<Namespace>(store_.get(), &env_, NamespaceOptions{});
    ASSERT_OK(ns_->Load());
    ASSERT_OK(ns_->CreateAccount(kSystemAccount, false));
    for (const char* n : {"w1", "e1"}) {
      NodeRecord r;
      r.node = n;
      r.address = std::string(n) + ":1";
      r.region = n[0] == 'w' ? "west" : "east";
      r.zone = r.region;
      r.host = n;
      r.pg_count = 8;
      r.drives = {{.name = "d0", .capacity_bytes = 1 << 30}};
      ASSERT_OK(registry_->Register(r));
    }
    BackupOptions bo;
    bo.scratch_dir = dir_.Sub("scratch");
    bo.keep_daily = 3;
    bo.keep_monthly = 2;
    backup_ = std::make_unique<MetadataBackup>(
        store_.get(), ns_.get(), registry_.get(), &nodes_, &sink_, &env_, bo);
  }

  std::set<std::string> BackupIds() {
    auto l = ns_->List(kSystemAccount, "backups/", "", 10000);
    EXPECT_OK(l);
    std::set<std::string> ids;
    for (const auto& f : l->files) ids.insert(f.path.substr(8, 16));
    return ids;
  }

  TempDir dir_;
  FakeEnv env_;
  FakeNodes nodes_{8};
  std::unique_ptr<MetaStore> store_;
  std::unique_ptr<NodeRegistry> registry_;
  std::unique_ptr<Namespace> ns_;
  NamespaceSink sink_{nullptr};
  std::unique_ptr<MetadataBackup> backup_;
};

TEST_F(MetadataBackupTest, StoresTheCheckpointFilesAndAppliesRetention) {
  sink_ = NamespaceSink(ns_.get());
  ASSERT_OK(ns_->CreateAccount("studio", false));
  ASSERT_OK_AND_ASSIGN(BackupInfoDomain first, backup_->Run());
  EXPECT_EQ(first.id.size(), 16u);
  EXPECT_GT(first.bytes, 0u);
  EXPECT_GT(sink_.stored, 2);  // CURRENT, MANIFEST, OPTIONS, SSTs
  EXPECT_EQ(backup_->last().id, first.id);
  // A backup a day for 40 days: 3 recent days and 2 months survive.
  for (int day = 1; day <= 40; ++day) {
    env_.AdvanceSeconds(24 * 3600);
    ASSERT_OK(backup_->Run());
  }
  std::set<std::string> ids = BackupIds();
  EXPECT_LE(ids.size(), 5u);
  EXPECT_GE(ids.size(), 3u);
  EXPECT_TRUE(ids.count(backup_->last().id));
  EXPECT_FALSE(ids.count(first.id));
}

TEST_F(MetadataBackupTest, FailsCleanlyWhenNoDriveTakesTheRecord) {
  sink_ = NamespaceSink(ns_.get());
  nodes_.SetUnreachable("w1/d0", true);
  nodes_.SetUnreachable("e1/d0", true);
  auto r = backup_->Run();
  EXPECT_THAT(r, ::drive::testing::StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_FALSE(backup_->last().error.empty());
  EXPECT_GT(sink_.stored, 0);
  EXPECT_TRUE(BackupIds().empty());  // its files were taken back
}

}  // namespace
}  // namespace drive::coordinator
