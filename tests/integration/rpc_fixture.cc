#include "tests/integration/rpc_fixture.h"

#include <chrono>
#include <regex>
#include <thread>

#include "absl/time/clock.h"
#include "common/data_token.h"
#include "common/grpc/metadata.h"
#include "grpcpp/grpcpp.h"

namespace drive {

testing::TempDir* RpcClusterTest::dir_ = nullptr;
testing::CoordinatorProcess* RpcClusterTest::coordinator_ = nullptr;
testing::NodeProcess* RpcClusterTest::nodes_[2] = {nullptr, nullptr};
std::string* RpcClusterTest::studio_token_ = nullptr;
std::string* RpcClusterTest::other_token_ = nullptr;
bool RpcClusterTest::ok_ = false;

namespace {

// An account's bearer token, made with the admin token; "" on failure.
std::string CreateAccount(v1::CoordinatorService::Stub* stub,
                          const std::string& account) {
  grpc::ClientContext ctx;
  ctx.AddMetadata(kAuthorizationKey,
                  std::string("Bearer ") + RpcClusterTest::kAdminToken);
  v1::CreateAccountRequest req;
  req.set_account(account);
  v1::CreateAccountResponse resp;
  return stub->CreateAccount(&ctx, req, &resp).ok() ? resp.token() : "";
}

// Waits until the coordinator's map lists both nodes' drives.
bool WaitForMap(v1::CoordinatorService::Stub* stub) {
  for (int i = 0; i < 300; ++i) {
    grpc::ClientContext ctx;
    ctx.AddMetadata(kAuthorizationKey,
                    std::string("Bearer ") + RpcClusterTest::kClusterToken);
    v1::PlacementMapInfo map;
    if (stub->GetPlacementMap(&ctx, {}, &map).ok() && map.drives_size() == 2)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace

void RpcClusterTest::SetUpTestSuite() {
  dir_ = new testing::TempDir();
  coordinator_ = new testing::CoordinatorProcess(
      dir_->Sub("coordinator"), kClusterToken, kAdminToken,
      {"--pg-count", "16", "--gc-interval", "0", "--backup-interval", "0",
       "--rpc-memory", "128MiB"});
  if (!coordinator_->Start()) return;
  for (int i = 0; i < 2; ++i) {
    nodes_[i] = new testing::NodeProcess(
        dir_->Sub(node_name(i)), kClusterToken,
        {"--name", node_name(i), "--region", i == 0 ? "west" : "east",
         "--coordinator", coordinator_->address(), "--pg-count", "16",
         "--scrub-max-rate", "0", "--stream-idle-timeout", "1s",
         "--max-put-streams", std::to_string(kMaxPutStreams)});
    if (!nodes_[i]->Start()) return;
  }
  auto stub = CoordinatorStub();
  if (!WaitForMap(stub.get())) return;
  studio_token_ = new std::string(CreateAccount(stub.get(), "studio"));
  other_token_ = new std::string(CreateAccount(stub.get(), "other"));
  ok_ = !studio_token_->empty() && !other_token_->empty();
}

void RpcClusterTest::TearDownTestSuite() {
  for (auto*& n : nodes_) {
    delete n;
    n = nullptr;
  }
  delete coordinator_;
  delete studio_token_;
  delete other_token_;
  delete dir_;
  coordinator_ = nullptr;
  studio_token_ = other_token_ = nullptr;
  dir_ = nullptr;
}

std::string RpcClusterTest::DataToken(const std::string& account,
                                      int64_t valid_s) {
  return IssueDataToken(kClusterToken, account,
                        absl::ToUnixSeconds(absl::Now()) + valid_s);
}

std::unique_ptr<v1::NodeService::Stub> RpcClusterTest::NodeStub(int i) {
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(-1);
  return v1::NodeService::NewStub(grpc::CreateCustomChannel(
      nodes_[i]->address(), grpc::InsecureChannelCredentials(), args));
}

std::unique_ptr<v1::CoordinatorService::Stub>
RpcClusterTest::CoordinatorStub() {
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(-1);
  args.SetMaxReceiveMessageSize(64 << 20);
  // Its own connection: tests that overload one do not slow the others.
  static std::atomic<int> counter{0};
  args.SetInt("drive.connection_id", counter++);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return v1::CoordinatorService::NewStub(grpc::CreateCustomChannel(
      coordinator_->address(), grpc::InsecureChannelCredentials(), args));
}

double RpcClusterTest::NodeMetric(int i, const std::string& series) {
  std::string text = testing::HttpGet(nodes_[i]->metrics_port(), "/metrics");
  size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

}  // namespace drive
