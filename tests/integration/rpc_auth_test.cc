// Every NodeService and CoordinatorService method against real daemons:
// each is refused, with its specific code, to every credential weaker than
// the one docs/security.md says it needs, and is not refused (for lack of
// credentials) to that one.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/chunk_id.h"
#include "common/grpc/metadata.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/integration/rpc_fixture.h"

namespace drive {
namespace {

using grpc::StatusCode;

// A credential a caller may present, from none to the cluster's own.
enum class Cred {
  kNone,
  kWrongToken,     // a made-up token, in the place a real one goes
  kExpiredData,    // studio's data token, expired
  kOtherData,      // a data token for account "other"
  kStudioData,     // a data token for account "studio"
  kOtherAccount,   // account "other"'s bearer token
  kStudioAccount,  // account "studio"'s bearer token
  kCluster,
  kAdmin,
};

std::string Name(Cred c) {
  switch (c) {
    case Cred::kNone:
      return "no credential";
    case Cred::kWrongToken:
      return "a wrong token";
    case Cred::kExpiredData:
      return "an expired data token";
    case Cred::kOtherData:
      return "another account's data token";
    case Cred::kStudioData:
      return "the account's data token";
    case Cred::kOtherAccount:
      return "another account's token";
    case Cred::kStudioAccount:
      return "the account's token";
    case Cred::kCluster:
      return "the cluster token";
    case Cred::kAdmin:
      return "the admin token";
  }
  return "?";
}

// Adds `c` to a NodeService call (nodes know cluster and data tokens only;
// bearer tokens mean nothing to them and go as what a confused client
// would send: a data token).
void AddNodeCred(grpc::ClientContext* ctx, Cred c) {
  using T = RpcClusterTest;
  switch (c) {
    case Cred::kNone:
      break;
    case Cred::kWrongToken:
      ctx->AddMetadata(kClusterTokenKey, "guess");
      break;
    case Cred::kExpiredData:
      ctx->AddMetadata(kDataTokenKey, T::DataToken("studio", -10));
      break;
    case Cred::kOtherData:
      ctx->AddMetadata(kDataTokenKey, T::DataToken("other"));
      break;
    case Cred::kStudioData:
      ctx->AddMetadata(kDataTokenKey, T::DataToken("studio"));
      break;
    case Cred::kOtherAccount:
      ctx->AddMetadata(kDataTokenKey, T::other_token());
      break;
    case Cred::kStudioAccount:
      ctx->AddMetadata(kDataTokenKey, T::studio_token());
      break;
    case Cred::kCluster:
      ctx->AddMetadata(kClusterTokenKey, T::kClusterToken);
      break;
    case Cred::kAdmin:
      ctx->AddMetadata(kClusterTokenKey, T::kAdminToken);
      break;
  }
}

// Adds `c` to a CoordinatorService call as "authorization: Bearer ...".
void AddBearer(grpc::ClientContext* ctx, Cred c) {
  using T = RpcClusterTest;
  std::string token;
  switch (c) {
    case Cred::kNone:
      return;
    case Cred::kWrongToken:
      token = "drv_guess";
      break;
    case Cred::kExpiredData:
      token = T::DataToken("studio", -10);
      break;
    case Cred::kOtherData:
      token = T::DataToken("other");
      break;
    case Cred::kStudioData:
      token = T::DataToken("studio");
      break;
    case Cred::kOtherAccount:
      token = T::other_token();
      break;
    case Cred::kStudioAccount:
      token = T::studio_token();
      break;
    case Cred::kCluster:
      token = T::kClusterToken;
      break;
    case Cred::kAdmin:
      token = T::kAdminToken;
      break;
  }
  ctx->AddMetadata(kAuthorizationKey, "Bearer " + token);
}

using Invoke = std::function<grpc::Status(grpc::ClientContext*)>;

// One method: how to call it (with a request naming account "studio"), and
// the code each credential must get. A credential not listed must not be
// refused for want of credentials (its call may fail otherwise: bogus
// drives, ids or names keep the calls harmless).
struct Row {
  std::string method;
  Invoke invoke;
  std::map<Cred, StatusCode> refused;
  std::vector<Cred> admitted;
};

template <typename Stub, typename Req, typename Resp>
Invoke Unary(std::shared_ptr<Stub> stub,
             grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&,
                                          Resp*),
             Req req) {
  return [stub, method, req](grpc::ClientContext* ctx) {
    Resp resp;
    return ((*stub).*method)(ctx, req, &resp);
  };
}

const std::string kChunk(ChunkId::Of("auth test chunk").bytes());

v1::ChunkAddress StudioChunk() {
  v1::ChunkAddress a;
  a.set_account("studio");
  a.set_chunk_id(kChunk);
  return a;
}

// Node calls a data token for the request's account may make.
std::map<Cred, StatusCode> DataRefusals() {
  return {{Cred::kNone, StatusCode::UNAUTHENTICATED},
          {Cred::kWrongToken, StatusCode::UNAUTHENTICATED},
          {Cred::kExpiredData, StatusCode::UNAUTHENTICATED},
          {Cred::kStudioAccount, StatusCode::UNAUTHENTICATED},
          {Cred::kAdmin, StatusCode::UNAUTHENTICATED},
          {Cred::kOtherData, StatusCode::PERMISSION_DENIED}};
}
// Node calls for daemons only: a valid data token is not enough.
std::map<Cred, StatusCode> ClusterRefusals() {
  auto r = DataRefusals();
  r[Cred::kStudioData] = StatusCode::PERMISSION_DENIED;
  return r;
}

std::vector<Row> NodeRows() {
  std::shared_ptr<v1::NodeService::Stub> s = RpcClusterTest::NodeStub(0);
  using S = v1::NodeService::Stub;
  const std::vector<Cred> data_ok = {Cred::kStudioData, Cred::kCluster};
  const std::vector<Cred> cluster_ok = {Cred::kCluster};
  std::vector<Row> rows;

  // PutChunk: the header alone (a truncated stream stores nothing).
  rows.push_back({"PutChunk",
                  [s](grpc::ClientContext* ctx) {
                    v1::PutChunkResponse resp;
                    auto w = s->PutChunk(ctx, &resp);
                    v1::PutChunkRequest h;
                    h.mutable_header()->set_drive("d0");
                    *h.mutable_header()->mutable_address() = StudioChunk();
                    h.mutable_header()->set_length(10);
                    w->Write(h);
                    w->WritesDone();
                    return w->Finish();
                  },
                  DataRefusals(), data_ok});
  rows.push_back({"GetChunk",
                  [s](grpc::ClientContext* ctx) {
                    v1::GetChunkRequest req;
                    req.set_drive("d0");
                    *req.mutable_address() = StudioChunk();
                    auto r = s->GetChunk(ctx, req);
                    v1::GetChunkResponse resp;
                    while (r->Read(&resp)) {
                    }
                    return r->Finish();
                  },
                  DataRefusals(), data_ok});
  v1::HasChunksRequest has;
  has.set_drive("d0");
  has.set_account("studio");
  has.add_chunk_ids(kChunk);
  rows.push_back(
      {"HasChunks", Unary(s, &S::HasChunks, has), DataRefusals(), data_ok});
  v1::VerifyChunksRequest verify;
  verify.set_drive("d0");
  verify.set_account("studio");
  verify.add_chunk_ids(kChunk);
  rows.push_back({"VerifyChunks", Unary(s, &S::VerifyChunks, verify),
                  DataRefusals(), data_ok});

  v1::DeleteChunksRequest del;
  del.set_drive("d0");
  del.set_account("studio");
  del.add_chunk_ids(kChunk);
  rows.push_back({"DeleteChunks", Unary(s, &S::DeleteChunks, del),
                  ClusterRefusals(), cluster_ok});
  v1::ListChunksRequest list;
  list.set_drive("d0");
  list.set_account("studio");
  rows.push_back({"ListChunks", Unary(s, &S::ListChunks, list),
                  ClusterRefusals(), cluster_ok});
  rows.push_back({"NodeStats", Unary(s, &S::NodeStats, v1::NodeStatsRequest()),
                  ClusterRefusals(), cluster_ok});
  v1::PgDigestsRequest digests;
  digests.set_drive("d0");
  rows.push_back({"PgDigests", Unary(s, &S::PgDigests, digests),
                  ClusterRefusals(), cluster_ok});
  v1::ListPgChunksRequest pg;
  pg.set_drive("d0");
  rows.push_back({"ListPgChunks", Unary(s, &S::ListPgChunks, pg),
                  ClusterRefusals(), cluster_ok});
  v1::PullChunksRequest pull;
  pull.set_drive("d0");
  rows.push_back({"PullChunks", Unary(s, &S::PullChunks, pull),
                  ClusterRefusals(), cluster_ok});
  v1::ScrubRequest scrub;
  scrub.set_drive("d0");
  rows.push_back(
      {"Scrub", Unary(s, &S::Scrub, scrub), ClusterRefusals(), cluster_ok});
  v1::PutBackupRecordRequest backup;
  backup.set_id("Bad Id");  // refused as invalid once admitted
  rows.push_back({"PutBackupRecord", Unary(s, &S::PutBackupRecord, backup),
                  ClusterRefusals(), cluster_ok});
  rows.push_back(
      {"ListBackupRecords",
       Unary(s, &S::ListBackupRecords, v1::ListBackupRecordsRequest()),
       ClusterRefusals(), cluster_ok});
  return rows;
}

// Coordinator refusals: anything but a known bearer token is
// UNAUTHENTICATED (data tokens are for nodes only).
std::map<Cred, StatusCode> Unknown() {
  return {{Cred::kNone, StatusCode::UNAUTHENTICATED},
          {Cred::kWrongToken, StatusCode::UNAUTHENTICATED},
          {Cred::kExpiredData, StatusCode::UNAUTHENTICATED},
          {Cred::kStudioData, StatusCode::UNAUTHENTICATED},
          {Cred::kOtherData, StatusCode::UNAUTHENTICATED}};
}
std::map<Cred, StatusCode> With(std::map<Cred, StatusCode> m,
                                std::vector<Cred> denied) {
  for (Cred c : denied) m[c] = StatusCode::PERMISSION_DENIED;
  return m;
}

std::vector<Row> CoordinatorRows() {
  std::shared_ptr<v1::CoordinatorService::Stub> s =
      RpcClusterTest::CoordinatorStub();
  using S = v1::CoordinatorService::Stub;
  std::vector<Row> rows;
  // Daemons only.
  const auto cluster_only = With(
      Unknown(), {Cred::kStudioAccount, Cred::kOtherAccount, Cred::kAdmin});
  v1::RegisterNodeRequest reg;  // no node name: invalid once admitted
  rows.push_back({"RegisterNode",
                  Unary(s, &S::RegisterNode, reg),
                  cluster_only,
                  {Cred::kCluster}});
  v1::HeartbeatRequest beat;
  beat.set_node("nobody");  // unknown: answered known = false
  rows.push_back({"Heartbeat",
                  Unary(s, &S::Heartbeat, beat),
                  cluster_only,
                  {Cred::kCluster}});
  // Anyone authenticated.
  rows.push_back({"GetPlacementMap",
                  Unary(s, &S::GetPlacementMap, v1::GetPlacementMapRequest()),
                  Unknown(),
                  {Cred::kStudioAccount, Cred::kOtherAccount, Cred::kCluster,
                   Cred::kAdmin}});
  // The account's own (or the daemons', or the operator's).
  const auto account = With(Unknown(), {Cred::kOtherAccount});
  const std::vector<Cred> account_ok = {Cred::kStudioAccount, Cred::kCluster,
                                        Cred::kAdmin};
  auto add = [&](const std::string& name, Invoke invoke) {
    rows.push_back({name, std::move(invoke), account, account_ok});
  };
  v1::GetDataTokenRequest token;
  token.set_account("studio");
  add("GetDataToken", Unary(s, &S::GetDataToken, token));
  v1::CommitFilesRequest commit;  // no files: invalid once admitted
  commit.set_account("studio");
  add("CommitFiles", Unary(s, &S::CommitFiles, commit));
  v1::StatFileRequest stat;
  stat.set_account("studio");
  stat.set_path("none");
  add("StatFile", Unary(s, &S::StatFile, stat));
  v1::ListFilesRequest ls;
  ls.set_account("studio");
  add("ListFiles", Unary(s, &S::ListFiles, ls));
  v1::MoveFileRequest mv;
  mv.set_account("studio");
  mv.set_from_path("none");
  mv.set_to_path("none2");
  add("MoveFile", Unary(s, &S::MoveFile, mv));
  v1::DeleteFileRequest rm;
  rm.set_account("studio");
  rm.set_path("none");
  add("DeleteFile", Unary(s, &S::DeleteFile, rm));
  v1::ListTrashRequest trash;
  trash.set_account("studio");
  add("ListTrash", Unary(s, &S::ListTrash, trash));
  v1::RestoreFileRequest restore;
  restore.set_account("studio");
  restore.set_trash_id_or_path("none");
  add("RestoreFile", Unary(s, &S::RestoreFile, restore));
  v1::ReportBadReplicaRequest bad;
  bad.set_account("studio");
  bad.set_chunk_id(kChunk);
  bad.set_drive_id("nowhere/d0");
  add("ReportBadReplica", Unary(s, &S::ReportBadReplica, bad));
  // Operators only.
  const auto admin_only = With(
      Unknown(), {Cred::kStudioAccount, Cred::kOtherAccount, Cred::kCluster});
  auto op = [&](const std::string& name, Invoke invoke) {
    rows.push_back({name, std::move(invoke), admin_only, {Cred::kAdmin}});
  };
  v1::CreateAccountRequest create;
  create.set_account("Not A Name");
  op("CreateAccount", Unary(s, &S::CreateAccount, create));
  op("ClusterStatus", Unary(s, &S::ClusterStatus, v1::ClusterStatusRequest()));
  v1::SetDriveOutRequest out;
  out.set_drive_id("nowhere/d0");
  op("SetDriveOut", Unary(s, &S::SetDriveOut, out));
  v1::DrainRequest drain;
  drain.set_drive_id("nowhere/d0");
  op("Drain", Unary(s, &S::Drain, drain));
  op("Repair", Unary(s, &S::Repair, v1::RepairRequest()));
  v1::ClusterScrubRequest cscrub;
  cscrub.set_drive_id("nowhere/d0");
  op("Scrub", Unary(s, &S::Scrub, cscrub));
  op("ListPgs", Unary(s, &S::ListPgs, v1::ListPgsRequest()));
  v1::CollectGarbageRequest gc;
  gc.set_dry_run(true);
  op("CollectGarbage", Unary(s, &S::CollectGarbage, gc));
  op("ListAccounts", Unary(s, &S::ListAccounts, v1::ListAccountsRequest()));
  op("BackupMetadata",
     Unary(s, &S::BackupMetadata, v1::BackupMetadataRequest()));
  return rows;
}

void CheckRows(const std::vector<Row>& rows,
               void (*add)(grpc::ClientContext*, Cred)) {
  for (const Row& row : rows) {
    for (const auto& [cred, want] : row.refused) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
      add(&ctx, cred);
      EXPECT_EQ(row.invoke(&ctx).error_code(), want)
          << row.method << " with " << Name(cred);
    }
    for (Cred cred : row.admitted) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(60));
      add(&ctx, cred);
      grpc::Status s = row.invoke(&ctx);
      EXPECT_NE(s.error_code(), StatusCode::UNAUTHENTICATED)
          << row.method << " with " << Name(cred) << ": " << s.error_message();
      EXPECT_NE(s.error_code(), StatusCode::PERMISSION_DENIED)
          << row.method << " with " << Name(cred) << ": " << s.error_message();
    }
  }
}

size_t MethodCount(const char* service) {
  const auto* d =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          service);
  return d ? static_cast<size_t>(d->method_count()) : 0;
}

using RpcAuthTest = RpcClusterTest;

TEST_F(RpcAuthTest, EveryNodeMethodRefusesWeakerCredentials) {
  auto rows = NodeRows();
  // Every method of the service has a row.
  EXPECT_EQ(rows.size(), MethodCount(v1::NodeService::service_full_name()));
  CheckRows(rows, &AddNodeCred);
}

TEST_F(RpcAuthTest, EveryCoordinatorMethodRefusesWeakerCredentials) {
  auto rows = CoordinatorRows();
  EXPECT_EQ(rows.size(),
            MethodCount(v1::CoordinatorService::service_full_name()));
  CheckRows(rows, &AddBearer);
}

// Issue 10, finding 5: the data token every client holds deleted all six
// copies of a chunk, bypassing the trash.
TEST_F(RpcAuthTest, Issue10DataTokenCannotDeleteChunks) {
  auto stub = NodeStub(0);
  std::string bytes = "a photo's bytes";
  ChunkId id = ChunkId::Of(bytes);
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata(kDataTokenKey, DataToken("studio"));
    v1::PutChunkResponse resp;
    auto w = stub->PutChunk(&ctx, &resp);
    v1::PutChunkRequest req;
    req.mutable_header()->set_drive("d0");
    req.mutable_header()->mutable_address()->set_account("studio");
    req.mutable_header()->mutable_address()->set_chunk_id(
        std::string(id.bytes()));
    req.mutable_header()->set_length(bytes.size());
    ASSERT_TRUE(w->Write(req));
    req.set_data(bytes);
    ASSERT_TRUE(w->Write(req));
    w->WritesDone();
    ASSERT_TRUE(w->Finish().ok());
  }
  v1::DeleteChunksRequest del;
  del.set_drive("d0");
  del.set_account("studio");
  del.add_chunk_ids(std::string(id.bytes()));
  grpc::ClientContext ctx;
  ctx.AddMetadata(kDataTokenKey, DataToken("studio"));
  v1::DeleteChunksResponse deleted;
  grpc::Status s = stub->DeleteChunks(&ctx, del, &deleted);
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("cluster token"));

  v1::HasChunksRequest has;
  has.set_drive("d0");
  has.set_account("studio");
  has.add_chunk_ids(std::string(id.bytes()));
  grpc::ClientContext hctx;
  hctx.AddMetadata(kDataTokenKey, DataToken("studio"));
  v1::HasChunksResponse present;
  ASSERT_TRUE(stub->HasChunks(&hctx, has, &present).ok());
  ASSERT_EQ(present.present_size(), 1);
  EXPECT_TRUE(present.present(0));  // the copy survived
}

}  // namespace
}  // namespace drive
