#include "daemon/rpc/grpc_node_transport.h"

#include "common/grpc/metadata.h"
#include "common/grpc/scrub_progress_convert.h"
#include "common/grpc/status_convert.h"
#include "grpcpp/grpcpp.h"

namespace drive::rpc {

namespace v1 = drive::v1;
using coordinator::DriveView;

GrpcNodeTransport::GrpcNodeTransport(std::string cluster_token,
                                     absl::Duration timeout,
                                     absl::Duration long_timeout)
    : cluster_token_(std::move(cluster_token)),
      timeout_(timeout),
      long_timeout_(long_timeout) {}

void GrpcNodeTransport::Prepare(grpc::ClientContext* ctx,
                                absl::Duration timeout) const {
  ctx->AddMetadata(kClusterTokenKey, cluster_token_);
  ctx->set_deadline(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(timeout));
}

absl::StatusOr<std::vector<coordinator::PgDigestInfo>>
GrpcNodeTransport::Digests(const DriveView& drive) {
  grpc::ClientContext ctx;
  Prepare(&ctx, timeout_);
  v1::PgDigestsRequest req;
  req.set_drive(drive.name);
  v1::PgDigestsResponse resp;
  grpc::Status s = peers_.StubFor(drive.address)->PgDigests(&ctx, req, &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  std::vector<coordinator::PgDigestInfo> out;
  for (const auto& d : resp.pgs()) {
    out.push_back({d.pg(), d.chunks(), d.bytes(), d.hash()});
  }
  return out;
}

absl::StatusOr<coordinator::PgChunkPage> GrpcNodeTransport::ListPg(
    const DriveView& drive, uint32_t pg, const std::string& cursor,
    uint32_t limit) {
  grpc::ClientContext ctx;
  Prepare(&ctx, timeout_);
  v1::ListPgChunksRequest req;
  req.set_drive(drive.name);
  req.set_pg(pg);
  req.set_page_token(cursor);
  req.set_limit(limit);
  v1::ListPgChunksResponse resp;
  grpc::Status s =
      peers_.StubFor(drive.address)->ListPgChunks(&ctx, req, &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  coordinator::PgChunkPage page;
  for (const auto& c : resp.chunks()) {
    auto id = ChunkId::FromBytes(c.chunk_id());
    if (!id.ok())
      return absl::DataLossError("node listed a malformed chunk id");
    page.chunks.push_back(
        {c.account(), *id, c.raw_length(), c.stored_at_unix_s()});
  }
  page.next = resp.next_page_token();
  return page;
}

absl::StatusOr<coordinator::PullOutcome> GrpcNodeTransport::Pull(
    const DriveView& target, const std::vector<coordinator::PullTask>& tasks) {
  grpc::ClientContext ctx;
  Prepare(&ctx, long_timeout_);
  v1::PullChunksRequest req;
  req.set_drive(target.name);
  for (const auto& t : tasks) {
    auto* pt = req.add_tasks();
    pt->mutable_address()->set_account(t.account);
    pt->mutable_address()->set_chunk_id(std::string(t.id.bytes()));
    for (const auto& src : t.sources) {
      auto* cs = pt->add_sources();
      cs->set_address(src.address);
      cs->set_drive(src.drive);
    }
  }
  v1::PullChunksResponse resp;
  grpc::Status s = peers_.StubFor(target.address)->PullChunks(&ctx, req, &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  coordinator::PullOutcome out;
  out.bytes_copied = resp.bytes_copied();
  for (const auto& st : resp.statuses()) {
    out.results.push_back(StatusFromProto(st));
  }
  return out;
}

absl::StatusOr<uint64_t> GrpcNodeTransport::Delete(
    const DriveView& drive, const std::string& account,
    const std::vector<ChunkId>& ids, int64_t stored_before_unix_s) {
  grpc::ClientContext ctx;
  Prepare(&ctx, timeout_);
  v1::DeleteChunksRequest req;
  req.set_drive(drive.name);
  req.set_account(account);
  for (const auto& id : ids) req.add_chunk_ids(std::string(id.bytes()));
  req.set_stored_before_unix_s(stored_before_unix_s);
  v1::DeleteChunksResponse resp;
  grpc::Status s =
      peers_.StubFor(drive.address)->DeleteChunks(&ctx, req, &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  return resp.deleted();
}

absl::StatusOr<std::vector<absl::Status>> GrpcNodeTransport::Verify(
    const DriveView& drive, const std::string& account,
    const std::vector<ChunkId>& ids) {
  grpc::ClientContext ctx;
  Prepare(&ctx, long_timeout_);
  v1::VerifyChunksRequest req;
  req.set_drive(drive.name);
  req.set_account(account);
  for (const auto& id : ids) req.add_chunk_ids(std::string(id.bytes()));
  v1::VerifyChunksResponse resp;
  grpc::Status s =
      peers_.StubFor(drive.address)->VerifyChunks(&ctx, req, &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  std::vector<absl::Status> out;
  for (const auto& st : resp.statuses()) out.push_back(StatusFromProto(st));
  return out;
}

coordinator::DriveScrubOutcome GrpcNodeTransport::Scrub(const DriveView& drive,
                                                        bool start) {
  coordinator::DriveScrubOutcome out;
  out.drive_id = drive.info.id;
  grpc::ClientContext ctx;
  Prepare(&ctx, start ? long_timeout_ : timeout_);
  v1::ScrubRequest req;
  req.set_drive(drive.name);
  req.set_start(start);
  v1::ScrubResponse resp;
  grpc::Status s = peers_.StubFor(drive.address)->Scrub(&ctx, req, &resp);
  out.status = FromGrpcStatus(s);
  if (!s.ok()) return out;
  if (resp.drives_size() > 0)
    out.progress = ScrubProgressFromProto(resp.drives(0));
  out.verified_chunks = resp.verified_chunks();
  out.corrupt_found = resp.corrupt_found();
  out.repaired = resp.repaired();
  return out;
}

absl::Status GrpcNodeTransport::PutBackupRecord(
    const DriveView& drive, const std::string& id, const std::string& record,
    const std::vector<std::string>& remove) {
  grpc::ClientContext ctx;
  Prepare(&ctx, timeout_);
  v1::PutBackupRecordRequest req;
  req.set_drive(drive.name);
  req.set_id(id);
  req.set_record(record);
  for (const auto& r : remove) req.add_remove_ids(r);
  v1::PutBackupRecordResponse resp;
  return FromGrpcStatus(
      peers_.StubFor(drive.address)->PutBackupRecord(&ctx, req, &resp));
}

}  // namespace drive::rpc
