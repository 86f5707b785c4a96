#include "daemon/rpc/request_limits.h"

#include <string>

#include "drive/v1/coordinator.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace drive::rpc {
namespace {

using coordinator::kMaxChunksPerCommit;
using coordinator::kMaxFilesPerCommit;
using ::drive::testing::StatusIs;

// The largest commit a writer can legitimately send: every limit reached,
// every field at its widest.
drive::v1::CommitFilesRequest LargestCommit() {
  drive::v1::CommitFilesRequest req;
  req.set_account(std::string(kMaxAccountNameBytes, 'a'));
  req.set_upload_started_unix_ms(-1);
  const size_t chunks_per_file = kMaxChunksPerCommit / kMaxFilesPerCommit;
  for (size_t i = 0; i < kMaxFilesPerCommit; ++i) {
    auto* f = req.add_files();
    std::string path = std::to_string(i) + "/";
    f->set_path(path + std::string(kMaxPathBytes - path.size(), 'p'));
    f->set_size(~0ull);
    f->set_mtime_unix_ms(-1);
    f->set_content_type(std::string(coordinator::kMaxContentTypeBytes, 't'));
    f->set_hash(std::string(16, '\xff'));
    for (size_t c = 0; c < chunks_per_file; ++c) {
      auto* r = f->add_chunks();
      r->set_id(std::string(16, '\xff'));
      r->set_size(4u << 20);
      for (size_t d = 0; d < coordinator::kMaxReplicasPerChunk; ++d) {
        r->add_replicas(std::string(coordinator::kMaxDriveIdBytes, 'd'));
      }
    }
    req.add_expected_versions(~0ull);
  }
  return req;
}

TEST(RequestLimitsTest, LargestLegitimateCommitFitsItsDerivedBound) {
  auto req = LargestCommit();
  size_t bytes = req.ByteSizeLong();
  EXPECT_LE(bytes, kMaxCommitFilesRequestBytes);
  // The bound is tight: no more than 1% above what it must admit.
  EXPECT_GE(bytes, kMaxCommitFilesRequestBytes * 99 / 100);
  EXPECT_OK(CheckCoordinatorRequestSize("CommitFiles", bytes));
  // Well under the 64 MiB the server used to accept from anyone.
  EXPECT_LT(kMaxCoordinatorMessageBytes, size_t{32} << 20);
}

TEST(RequestLimitsTest, SmallMethodsGetSmallBounds) {
  EXPECT_OK(CheckCoordinatorRequestSize("StatFile", 2000));
  EXPECT_THAT(CheckCoordinatorRequestSize("StatFile", 1 << 20),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(CheckCoordinatorRequestSize("GetDataToken", 100 << 10),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_OK(CheckCoordinatorRequestSize("Heartbeat", 200 << 10));
  EXPECT_THAT(CheckCoordinatorRequestSize("CommitFiles",
                                          kMaxCommitFilesRequestBytes + 1),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST(RequestLimitsTest, PendingAuthBudgetBoundsCallsAndBytes) {
  PendingAuthBudget budget(3, 1000);
  EXPECT_TRUE(budget.TryAcquire(600));
  EXPECT_FALSE(budget.TryAcquire(600));  // over the bytes
  EXPECT_TRUE(budget.TryAcquire(10));
  EXPECT_TRUE(budget.TryAcquire(10));
  EXPECT_FALSE(budget.TryAcquire(1));  // over the calls
  budget.Release(600);
  budget.Release(10);
  budget.Release(10);
  // Alone, even an oversize request may wait.
  EXPECT_TRUE(budget.TryAcquire(5000));
  EXPECT_FALSE(budget.TryAcquire(1));
}

}  // namespace
}  // namespace drive::rpc
