#include "daemon/storage/storage_node.h"

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace drive::storage {
namespace {

using ::drive::testing::StatusIs;
using ::drive::testing::TempDir;
using ::testing::HasSubstr;

class StorageNodeTest : public ::testing::Test {
 protected:
  DriveConfig Drive(const std::string& name) {
    DriveConfig d;
    d.name = name;
    d.store.path = dir_.Sub(name);
    d.store.pg_count = 16;
    d.store.reserve_bytes = 0;
    return d;
  }

  // Creates the drive with one chunk, then takes its CURRENT and MANIFEST
  // files away, as a disk fault would.
  void CreateThenDamage(const std::string& name) {
    {
      ASSERT_OK_AND_ASSIGN(auto node, StorageNode::Open("n1", {Drive(name)}));
      ASSERT_OK_AND_ASSIGN(ChunkStore * store, node->drive(name));
      ASSERT_OK(store->Put("studio", ChunkId::Of("x"), "x"));
    }
    for (const auto& e : std::filesystem::directory_iterator(dir_.Sub(name))) {
      std::string f = e.path().filename().string();
      if (f == "CURRENT" || f.starts_with("MANIFEST-")) {
        std::filesystem::remove(e.path());
      }
    }
  }

  size_t FilesIn(const std::string& name) {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir_.Sub(name))) {
      n += e.path().filename() != "LOCK";
    }
    return n;
  }

  TempDir dir_;
};

// Issue 10, finding 14.
TEST_F(StorageNodeTest, NodeOpensWithoutItsDamagedDriveAndReportsIt) {
  CreateThenDamage("d1");
  size_t files_before = FilesIn("d1");
  ASSERT_OK_AND_ASSIGN(auto node,
                       StorageNode::Open("n1", {Drive("d0"), Drive("d1")}));
  EXPECT_THAT(node->drive_names(), ::testing::ElementsAre("d0"));
  ASSERT_EQ(node->failed_drives().size(), 1u);
  EXPECT_EQ(node->failed_drives()[0].name, "d1");
  EXPECT_THAT(node->failed_drives()[0].status,
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(node->failed_drives()[0].status.message(),
              HasSubstr("no RocksDB CURRENT file"));
  EXPECT_OK(node->drive("d0"));
  EXPECT_THAT(node->drive("d1"),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(node->drive("d9"), StatusIs(absl::StatusCode::kNotFound));
  // Nothing was formatted over what is left of it.
  EXPECT_EQ(FilesIn("d1"), files_before);
}

TEST_F(StorageNodeTest, NodeWhoseOnlyDriveIsDamagedDoesNotStart) {
  CreateThenDamage("d0");
  EXPECT_THAT(StorageNode::Open("n1", {Drive("d0")}),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(StorageNodeTest, EmptyDirectoryOpensAsANewDrive) {
  std::filesystem::create_directories(dir_.Sub("d0"));
  ASSERT_OK_AND_ASSIGN(auto node, StorageNode::Open("n1", {Drive("d0")}));
  EXPECT_TRUE(node->failed_drives().empty());
  ASSERT_OK_AND_ASSIGN(ChunkStore * store, node->drive("d0"));
  EXPECT_EQ(store->Digests().size(), 16u);
}

TEST_F(StorageNodeTest, RepeatedDriveNameFailsTheNode) {
  EXPECT_THAT(StorageNode::Open("n1", {Drive("d0"), Drive("d0")}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace drive::storage
