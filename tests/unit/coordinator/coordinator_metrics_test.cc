#include "daemon/coordinator/coordinator_metrics.h"

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/executor.h"
#include "daemon/coordinator/embedded_meta_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fake_env.h"
#include "tests/support/fake_nodes.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_nodes.h"

namespace drive::coordinator {
namespace {

using ::drive::testing::FakeEnv;
using ::drive::testing::FakeNodes;
using ::drive::testing::TempDir;
using ::drive::testing::TestNodeRecord;
using ::testing::HasSubstr;

constexpr uint32_t kPgCount = 16;

class CoordinatorMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, EmbeddedMetaStore::Open(dir_.Sub("meta")));
    RegistryOptions ro;
    ro.regions = {"west", "east"};
    ro.pg_count = kPgCount;
    registry_ = std::make_unique<NodeRegistry>(store_.get(), &env_, ro);
    ns_ = std::make_unique<Namespace>(store_.get(), &env_, NamespaceOptions{});
    ASSERT_OK(ns_->Load());
    coordinator_ = std::make_unique<Coordinator>(registry_.get(), ns_.get(),
                                                 &env_, CoordinatorOptions{});
    planner_ =
        std::make_unique<RepairPlanner>(registry_.get(), ns_.get(), &nodes_,
                                        &executor_, &env_, RepairOptions{});
  }

  // Registers w1..w3 and e1..e3 with one drive each: every PG full.
  void RegisterCluster() {
    for (int i = 1; i <= 3; ++i) {
      for (const auto& [prefix, region] :
           {std::pair{"w", "west"}, std::pair{"e", "east"}}) {
        ASSERT_OK(registry_->Register(
            TestNodeRecord(absl::StrCat(prefix, i), region, kPgCount)));
      }
    }
  }

  // The registry's text after exporting with `leadership`.
  std::string Render(const Leadership& leadership) {
    MetricsRegistry metrics;
    ExportCoordinatorMetrics(&metrics, {.coordinator = coordinator_.get(),
                                        .registry = registry_.get(),
                                        .ns = ns_.get(),
                                        .planner = planner_.get(),
                                        .leadership = &leadership});
    return metrics.Render();
  }

  TempDir dir_;
  FakeEnv env_;
  FakeNodes nodes_{kPgCount};
  ThreadPoolExecutor executor_{1};
  std::unique_ptr<MetaStore> store_;
  std::unique_ptr<NodeRegistry> registry_;
  std::unique_ptr<Namespace> ns_;
  std::unique_ptr<Coordinator> coordinator_;
  std::unique_ptr<RepairPlanner> planner_;
};

TEST_F(CoordinatorMetricsTest, ExportsPgHealthEpochFilesAndLeadership) {
  RegisterCluster();
  std::string text = Render(FixedLeadership(0));
  EXPECT_THAT(text, HasSubstr(absl::StrCat("drive_pgs{health=\"full\"} ",
                                           kPgCount, "\n")));
  EXPECT_THAT(text, HasSubstr("drive_pgs{health=\"degraded\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("drive_pgs{health=\"unavailable\"} 0\n"));
  EXPECT_THAT(text, HasSubstr(absl::StrCat("drive_placement_epoch ",
                                           registry_->epoch(), "\n")));
  EXPECT_THAT(text, HasSubstr("drive_files 0\n"));
  EXPECT_THAT(text, HasSubstr("drive_coordinator_leader 1\n"));
  EXPECT_THAT(text, HasSubstr("drive_repair_backlog_bytes 0\n"));
  EXPECT_THAT(text, HasSubstr("drive_lost_chunks 0\n"));
  EXPECT_THAT(text, HasSubstr("drive_drives_failed 0\n"));
  // No drive has reported a scrub yet.
  EXPECT_THAT(text, HasSubstr("drive_oldest_verification_age_seconds 0\n"));
}

TEST_F(CoordinatorMetricsTest, AFollowerReportsItIsNotTheLeader) {
  EXPECT_THAT(Render(FixedLeadership(std::nullopt)),
              HasSubstr("drive_coordinator_leader 0\n"));
}

}  // namespace
}  // namespace drive::coordinator
