// DriveClient::PutFile against an in-process coordinator: whether a refused
// commit makes it upload again depends on the typed upload-again mark only.

#include <atomic>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/grpc/status_convert.h"
#include "common/status_util.h"
#include "drive/client.h"
#include "drive/v1/coordinator.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace drive {
namespace {

using ::drive::client::ClientOptions;
using ::drive::client::DriveClient;
using ::drive::client::FileInfo;
using ::drive::testing::StatusIs;

// A coordinator with an empty map that refuses the first `refusals` commits
// with `refusal` and accepts the rest. Counts commits.
class FakeCoordinator final : public v1::CoordinatorService::Service {
 public:
  FakeCoordinator(absl::Status refusal, int refusals)
      : refusal_(std::move(refusal)), refusals_(refusals) {
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                       &port_);
    b.RegisterService(this);
    server_ = b.BuildAndStart();
  }
  ~FakeCoordinator() override { server_->Shutdown(); }

  grpc::Status GetPlacementMap(grpc::ServerContext*,
                               const v1::GetPlacementMapRequest*,
                               v1::PlacementMapInfo* resp) override {
    resp->set_epoch(1);
    return grpc::Status::OK;
  }

  grpc::Status GetDataToken(grpc::ServerContext*,
                            const v1::GetDataTokenRequest*,
                            v1::GetDataTokenResponse* resp) override {
    resp->set_token("data");
    resp->set_expires_unix_s(absl::ToUnixSeconds(absl::Now()) + 3600);
    return grpc::Status::OK;
  }

  grpc::Status CommitFiles(grpc::ServerContext*,
                           const v1::CommitFilesRequest* req,
                           v1::CommitFilesResponse* resp) override {
    if (++commits <= refusals_) return ToGrpcStatus(refusal_);
    *resp->add_files() = req->files(0);
    return grpc::Status::OK;
  }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

  std::atomic<int> commits{0};

 private:
  absl::Status refusal_;
  int refusals_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

class PutFileTest : public ::testing::Test {
 protected:
  // PutFile of an empty file (no chunks, so no node is asked) through `c`.
  absl::StatusOr<FileInfo> PutEmptyFile(const FakeCoordinator& c) {
    ClientOptions o;
    o.coordinator = c.address();
    o.token = "t0k";
    o.account = "studio";
    o.timeout = absl::Seconds(5);
    auto client = DriveClient::Connect(o);
    if (!client.ok()) return client.status();
    std::string local = dir_.Sub("empty.jpg");
    std::ofstream(local).close();
    return (*client)->PutFile(local, "shoot/empty.jpg", nullptr, nullptr);
  }

  drive::testing::TempDir dir_;
};

TEST_F(PutFileTest, CommitMarkedUploadAgainIsUploadedAgain) {
  FakeCoordinator c(
      MarkUploadAgain(absl::AbortedError(absl::StrCat(
          "shoot/empty.jpg: chunk 0 was garbage-collected while this upload "
          "ran; ",
          kUploadAgain, ", nothing committed"))),
      1);
  ASSERT_OK_AND_ASSIGN(FileInfo f, PutEmptyFile(c));
  EXPECT_EQ(f.path, "shoot/empty.jpg");
  EXPECT_EQ(c.commits.load(), 2);
}

TEST_F(PutFileTest, AbortedCommitSayingUploadAgainWithoutTheMarkIsNotRetried) {
  // The same words, but no typed mark: e.g. a version conflict whose
  // message happens to quote a path with those words in it.
  FakeCoordinator c(absl::AbortedError(absl::StrCat("shoot/", kUploadAgain,
                                                    ".jpg: version mismatch")),
                    1);
  EXPECT_THAT(PutEmptyFile(c), StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(c.commits.load(), 1);
}

}  // namespace
}  // namespace drive
