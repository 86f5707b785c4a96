// Limits of the gRPC services against real daemons (issue 10): request
// sizes and unauthenticated work on the coordinator, bad-copy report
// rates, forward targets of PutChunk, and idle or excess PutChunk streams
// on nodes.

#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "common/chunk_id.h"
#include "common/grpc/metadata.h"
#include "daemon/rpc/request_limits.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/integration/rpc_fixture.h"
#include "tests/support/temp_dir.h"

namespace drive {
namespace {

using grpc::StatusCode;
using RpcLimitsTest = RpcClusterTest;

std::chrono::system_clock::time_point In(int seconds) {
  return std::chrono::system_clock::now() + std::chrono::seconds(seconds);
}

// A CommitFiles request of about `bytes` bytes (one file with a huge
// content type: refused by size or credentials before anyone reads it).
v1::CommitFilesRequest CommitOfSize(size_t bytes) {
  v1::CommitFilesRequest req;
  req.set_account("studio");
  auto* f = req.add_files();
  f->set_path("big");
  f->set_content_type(std::string(bytes, 'x'));
  return req;
}

grpc::Status Commit(const v1::CommitFilesRequest& req,
                    const std::string& bearer) {
  auto stub = RpcClusterTest::CoordinatorStub();
  grpc::ClientContext ctx;
  ctx.set_deadline(In(60));
  if (!bearer.empty()) ctx.AddMetadata(kAuthorizationKey, "Bearer " + bearer);
  v1::CommitFilesResponse resp;
  return stub->CommitFiles(&ctx, req, &resp);
}

// VmHWM (peak resident set) of a process, in KiB; 0 if unknown.
long PeakRssKiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

bool CoordinatorAnswers() {
  auto stub = RpcClusterTest::CoordinatorStub();
  grpc::ClientContext ctx;
  ctx.set_deadline(In(10));
  ctx.AddMetadata(kAuthorizationKey,
                  std::string("Bearer ") + RpcClusterTest::kAdminToken);
  v1::PlacementMapInfo map;
  return stub->GetPlacementMap(&ctx, {}, &map).ok();
}

// --- finding 7: request sizes and unauthenticated work ---

TEST_F(RpcLimitsTest, Issue10CommitOverTheBoundIsResourceExhausted) {
  auto req = CommitOfSize(rpc::kMaxCoordinatorMessageBytes + (1 << 20));
  EXPECT_EQ(Commit(req, studio_token()).error_code(),
            StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(coordinator().Running());
  EXPECT_TRUE(CoordinatorAnswers());
}

TEST_F(RpcLimitsTest, Issue10UnauthenticatedLargeCommitIsRefused) {
  // Under the bound, so only the credentials decide.
  auto req = CommitOfSize(rpc::kMaxCommitFilesRequestBytes - (1 << 20));
  EXPECT_EQ(Commit(req, "").error_code(), StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Commit(req, "drv_guess").error_code(), StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(CoordinatorAnswers());
}

TEST_F(RpcLimitsTest, Issue10LargeRequestOfASmallMethodIsRefusedUnread) {
  auto stub = CoordinatorStub();
  v1::StatFileRequest req;
  req.set_account("studio");
  req.set_path(std::string(1 << 20, 'p'));
  grpc::ClientContext ctx;  // no token: the size alone decides
  ctx.set_deadline(In(30));
  v1::StatFileResponse resp;
  grpc::Status s = stub->StatFile(&ctx, req, &resp);
  EXPECT_EQ(s.error_code(), StatusCode::RESOURCE_EXHAUSTED)
      << s.error_message();
}

// Six concurrent unauthenticated 60 MiB commits took the coordinator from
// 34 to 455 MiB. Now each is at most the bound (about 30 MiB), refused
// without waiting, and the server's resource quota (128 MiB in this
// fixture) caps what gRPC buffers for all of them together.
// gcc says __SANITIZE_ADDRESS__, clang __has_feature(address_sanitizer).
#if defined(__SANITIZE_ADDRESS__)
#define DRIVE_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DRIVE_UNDER_ASAN 1
#endif
#endif

TEST_F(RpcLimitsTest, Issue10ConcurrentUnauthenticatedCommitsStayBounded) {
#if defined(DRIVE_UNDER_ASAN)
  // ASan keeps freed memory in quarantine and pads every allocation, so a
  // sanitized coordinator's RSS says nothing about this bound; the
  // uninstrumented run of this test checks it.
  GTEST_SKIP() << "RSS bound not meaningful under AddressSanitizer";
#endif
  auto req = CommitOfSize(rpc::kMaxCommitFilesRequestBytes - (1 << 20));
  long before = PeakRssKiB(coordinator().pid());
  ASSERT_GT(before, 0);
  std::vector<std::thread> callers;
  std::atomic<int> refused{0};
  for (int t = 0; t < 6; ++t) {
    callers.emplace_back([&] {
      for (int i = 0; i < 3; ++i) {
        grpc::Status s = Commit(req, "drv_guess");
        StatusCode c = s.error_code();
        // UNAVAILABLE: the quota ran out and gRPC shed the connection.
        if (c == StatusCode::UNAUTHENTICATED ||
            c == StatusCode::RESOURCE_EXHAUSTED ||
            c == StatusCode::UNAVAILABLE) {
          ++refused;
        } else {
          ADD_FAILURE() << "code " << c << ": " << s.error_message();
        }
      }
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(refused, 18);
  long after = PeakRssKiB(coordinator().pid());
  std::printf("coordinator peak RSS: %ld -> %ld KiB\n", before, after);
  EXPECT_LT(after - before, 300 * 1024);
  EXPECT_TRUE(coordinator().Running());
  EXPECT_TRUE(CoordinatorAnswers());
}

// --- finding 10: bad-copy reports ---

TEST_F(RpcLimitsTest, Issue10BadCopyReportsAreRateLimitedPerCaller) {
  auto stub = CoordinatorStub();
  int ok = 0, limited = 0;
  for (int i = 0; i < 80; ++i) {
    v1::ReportBadReplicaRequest req;
    req.set_account("studio");
    req.set_chunk_id(
        std::string(ChunkId::Of("bad " + std::to_string(i)).bytes()));
    req.set_drive_id("w1/d0");
    grpc::ClientContext ctx;
    ctx.set_deadline(In(10));
    ctx.AddMetadata(kAuthorizationKey, "Bearer " + studio_token());
    v1::ReportBadReplicaResponse resp;
    grpc::Status s = stub->ReportBadReplica(&ctx, req, &resp);
    if (s.ok()) ++ok;
    if (s.error_code() == StatusCode::RESOURCE_EXHAUSTED) ++limited;
  }
  EXPECT_EQ(ok + limited, 80);
  EXPECT_GE(limited, 40);  // a burst of 30, then about one a second
  // Another account is not held back by studio's reports.
  v1::ReportBadReplicaRequest req;
  req.set_account("other");
  req.set_chunk_id(std::string(ChunkId::Of("theirs").bytes()));
  req.set_drive_id("w1/d0");
  grpc::ClientContext ctx;
  ctx.AddMetadata(kAuthorizationKey, "Bearer " + other_token());
  v1::ReportBadReplicaResponse resp;
  EXPECT_TRUE(stub->ReportBadReplica(&ctx, req, &resp).ok());
}

// --- finding 9: forward targets ---

v1::PutChunkRequest Header(const std::string& bytes) {
  v1::PutChunkRequest req;
  auto* h = req.mutable_header();
  h->set_drive("d0");
  h->set_drive_id("w1/d0");
  h->mutable_address()->set_account("studio");
  h->mutable_address()->set_chunk_id(std::string(ChunkId::Of(bytes).bytes()));
  h->set_length(bytes.size());
  return req;
}

// Streams `header` and `bytes` to w1 with studio's data token. w1 may not
// have fetched the map yet: a target it does not know makes it fetch it.
grpc::Status Put(const v1::PutChunkRequest& header, const std::string& bytes,
                 v1::PutChunkResponse* resp) {
  auto stub = RpcClusterTest::NodeStub(0);
  grpc::ClientContext ctx;
  ctx.set_deadline(In(30));
  ctx.AddMetadata(kDataTokenKey, RpcClusterTest::DataToken("studio"));
  auto w = stub->PutChunk(&ctx, resp);
  v1::PutChunkRequest data;
  data.set_data(bytes);
  if (w->Write(header)) w->Write(data);
  w->WritesDone();
  return w->Finish();
}

bool Has(int node, const std::string& bytes) {
  auto stub = RpcClusterTest::NodeStub(node);
  grpc::ClientContext ctx;
  ctx.AddMetadata(kClusterTokenKey, RpcClusterTest::kClusterToken);
  v1::HasChunksRequest req;
  req.set_drive("d0");
  req.set_account("studio");
  req.add_chunk_ids(std::string(ChunkId::Of(bytes).bytes()));
  v1::HasChunksResponse resp;
  return stub->HasChunks(&ctx, req, &resp).ok() && resp.present_size() == 1 &&
         resp.present(0);
}

TEST_F(RpcLimitsTest, Issue10ForwardToAnAddressOutsideTheMapIsRefused) {
  std::string bytes = "forwarded nowhere";
  for (auto target : {std::pair<std::string, std::string>{"127.0.0.1:1", "d0"},
                      {"example.com:80", "d0"},
                      {node(1).address(), "d9"}}) {
    v1::PutChunkRequest h = Header(bytes);
    auto* f = h.mutable_header()->add_forward();
    f->set_address(target.first);
    f->set_drive(target.second);
    f->set_drive_id("evil/d0");
    v1::PutChunkResponse resp;
    grpc::Status s = Put(h, bytes, &resp);
    EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED)
        << target.first << ": " << s.error_message();
  }
  // Nested under a member of the map, too.
  v1::PutChunkRequest h = Header(bytes);
  auto* f = h.mutable_header()->add_forward();
  f->set_address(node(1).address());
  f->set_drive("d0");
  f->set_drive_id("e1/d0");
  auto* nested = f->add_forward();
  nested->set_address("127.0.0.1:1");
  nested->set_drive("d0");
  v1::PutChunkResponse resp;
  EXPECT_EQ(Put(h, bytes, &resp).error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_FALSE(Has(0, bytes));
  EXPECT_FALSE(Has(1, bytes));
}

TEST_F(RpcLimitsTest, ForwardToADriveInTheMapIsStored) {
  std::string bytes = "forwarded to e1";
  v1::PutChunkRequest h = Header(bytes);
  auto* f = h.mutable_header()->add_forward();
  f->set_address(node(1).address());
  f->set_drive("d0");
  f->set_drive_id("e1/d0");
  v1::PutChunkResponse resp;
  grpc::Status s = Put(h, bytes, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(resp.replicas_size(), 2);
  EXPECT_EQ(resp.replicas(0).status().code(), 0)
      << resp.replicas(0).status().message();
  EXPECT_EQ(resp.replicas(1).status().code(), 0)
      << resp.replicas(1).status().message();
  EXPECT_TRUE(Has(1, bytes));
}

// --- finding 11: idle and excess PutChunk streams ---

// Opens a PutChunk stream on `stub` and sends `msgs`; the stream stays open.
struct OpenStream {
  grpc::ClientContext ctx;
  v1::PutChunkResponse resp;
  std::unique_ptr<grpc::ClientWriter<v1::PutChunkRequest>> writer;
};
std::unique_ptr<OpenStream> Open(v1::NodeService::Stub* stub,
                                 const std::vector<v1::PutChunkRequest>& msgs) {
  auto s = std::make_unique<OpenStream>();
  s->ctx.set_deadline(In(60));
  s->ctx.AddMetadata(kDataTokenKey, RpcClusterTest::DataToken("studio"));
  s->writer = stub->PutChunk(&s->ctx, &s->resp);
  for (const auto& m : msgs) s->writer->Write(m);
  return s;
}

TEST_F(RpcLimitsTest, Issue10IdlePutChunkStreamIsCancelled) {
  auto stub = NodeStub(0);
  std::string bytes(4 << 20, 'x');
  v1::PutChunkRequest header = Header(bytes);
  v1::PutChunkRequest some;
  some.set_data(bytes.substr(0, 1000));
  // A header and a little data, a header alone, nothing at all.
  for (const auto& msgs : std::vector<std::vector<v1::PutChunkRequest>>{
           {header, some}, {header}, {}}) {
    absl::Time start = absl::Now();
    auto s = Open(stub.get(), msgs);
    grpc::Status st = s->writer->Finish();  // waits for the node's verdict
    absl::Duration took = absl::Now() - start;
    EXPECT_EQ(st.error_code(), StatusCode::DEADLINE_EXCEEDED)
        << st.error_message();
    EXPECT_THAT(st.error_message(),
                ::testing::HasSubstr("no PutChunk message"));
    EXPECT_GE(took, absl::Milliseconds(900));
    EXPECT_LT(took, absl::Seconds(10));  // the test's timeout is 1 s
  }
  EXPECT_FALSE(Has(0, bytes));
  // Every cancelled stream was let go.
  double open = -1;
  for (int i = 0; i < 50 && open != 0; ++i) {
    open = NodeMetric(0, "drive_node_put_streams");
    if (open != 0) absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(open, 0);
}

TEST_F(RpcLimitsTest, PutChunkStreamsPerNodeAreBounded) {
  // A node of its own, with a long idle timeout and room for two streams.
  testing::TempDir dir;
  testing::NodeProcess node(
      dir.Sub("n"), kClusterToken,
      {"--max-put-streams", "2", "--scrub-max-rate", "0"});
  ASSERT_TRUE(node.Start());
  auto stub = v1::NodeService::NewStub(
      grpc::CreateChannel(node.address(), grpc::InsecureChannelCredentials()));
  std::string bytes = "bounded";
  v1::PutChunkRequest header = Header(bytes);
  auto a = Open(stub.get(), {header});
  auto b = Open(stub.get(), {header});
  // Both are open on the node before the third comes.
  double open = 0;
  for (int i = 0; i < 100 && open != 2; ++i) {
    open = -1;
    std::string text = testing::HttpGet(node.metrics_port(), "/metrics");
    if (text.find("\ndrive_node_put_streams 2") != std::string::npos) open = 2;
    if (open != 2) absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_EQ(open, 2);
  auto c = Open(stub.get(), {header});
  grpc::Status third = c->writer->Finish();
  EXPECT_EQ(third.error_code(), StatusCode::RESOURCE_EXHAUSTED)
      << third.error_message();
  // Closing one makes room again.
  a->writer->WritesDone();
  EXPECT_EQ(a->writer->Finish().error_code(), StatusCode::INVALID_ARGUMENT);
  auto d = Open(stub.get(), {header});
  v1::PutChunkRequest data;
  data.set_data(bytes);
  d->writer->Write(data);
  d->writer->WritesDone();
  EXPECT_TRUE(d->writer->Finish().ok());
  b->ctx.TryCancel();
  b->writer->Finish();
}

}  // namespace
}  // namespace drive
