// NodeService calls for repair, scrub and metadata backup records. All but
// VerifyChunks take the cluster token only: they see every account
// (docs/security.md).

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/grpc/scrub_progress_convert.h"
#include "common/grpc/status_convert.h"
#include "common/names.h"
#include "common/status_macros.h"
#include "daemon/rpc/node_service.h"
#include "spdlog/spdlog.h"

namespace drive::rpc {

namespace v1 = drive::v1;

namespace {

constexpr int kMaxPullTasks = 64;
constexpr int kMaxVerifyIds = 1000;
constexpr size_t kMaxBackupRecordBytes = 1 << 20;
constexpr char kBackupPrefix[] = "b/";

absl::Status CheckBackupId(const std::string& id) {
  if (id.empty() || id.size() > 64 ||
      id.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyzTZ-") !=
          std::string::npos) {
    return absl::InvalidArgumentError("bad backup id '" + id + "'");
  }
  return absl::OkStatus();
}

// A task the request got wrong (account name, id) fails alone: the puller
// reports its error in the task's place.
absl::StatusOr<repair::PullTask> PullTaskFromProto(const v1::PullTask& t) {
  DRIVE_RETURN_IF_ERROR(ValidateAccountName(t.address().account()));
  DRIVE_ASSIGN_OR_RETURN(ChunkId id,
                         ChunkId::FromBytes(t.address().chunk_id()));
  repair::PullTask task{t.address().account(), id, {}};
  for (const auto& src : t.sources()) {
    task.sources.push_back(
        {src.address(), src.drive(), src.address() + "/" + src.drive()});
  }
  return task;
}

}  // namespace

grpc::ServerUnaryReactor* NodeServiceImpl::PgDigests(
    grpc::CallbackServerContext* ctx, const v1::PgDigestsRequest* req,
    v1::PgDigestsResponse* resp) {
  return Unary(ctx, "PgDigests", NodeCaller::kCluster, "",
               [this, req, resp]() -> absl::Status {
                 DRIVE_ASSIGN_OR_RETURN(storage::ChunkStore * store,
                                        node_->drive(req->drive()));
                 auto digests = store->Digests();
                 for (uint32_t pg = 0; pg < digests.size(); ++pg) {
                   const auto& d = digests[pg];
                   if (d.chunks == 0) continue;
                   auto* out = resp->add_pgs();
                   out->set_pg(pg);
                   out->set_chunks(d.chunks);
                   out->set_bytes(d.bytes);
                   out->set_hash(std::string(d.hash_bytes()));
                 }
                 return absl::OkStatus();
               });
}

grpc::ServerUnaryReactor* NodeServiceImpl::ListPgChunks(
    grpc::CallbackServerContext* ctx, const v1::ListPgChunksRequest* req,
    v1::ListPgChunksResponse* resp) {
  return Unary(
      ctx, "ListPgChunks", NodeCaller::kCluster, "",
      [this, req, resp]() -> absl::Status {
        DRIVE_ASSIGN_OR_RETURN(storage::ChunkStore * store,
                               node_->drive(req->drive()));
        uint32_t limit = req->limit() == 0 ? 1000 : req->limit();
        if (limit > 10000) {
          return absl::InvalidArgumentError("limit must be 0..10000");
        }
        if (req->pg() >= store->pg_count()) {
          return absl::InvalidArgumentError(absl::StrCat("no PG ", req->pg()));
        }
        DRIVE_ASSIGN_OR_RETURN(
            storage::IndexPage page,
            store->ScanIndex(req->page_token(), req->pg(), limit));
        for (const auto& c : page.chunks) {
          auto* out = resp->add_chunks();
          out->set_account(c.account);
          out->set_chunk_id(std::string(c.id.bytes()));
          out->set_raw_length(c.entry.raw_length);
          out->set_stored_at_unix_s(c.entry.stored_at_unix_s);
        }
        resp->set_next_page_token(page.next);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* NodeServiceImpl::PullChunks(
    grpc::CallbackServerContext* ctx, const v1::PullChunksRequest* req,
    v1::PullChunksResponse* resp) {
  return Unary(
      ctx, "PullChunks", NodeCaller::kCluster, "",
      [this, req, resp]() -> absl::Status {
        DRIVE_ASSIGN_OR_RETURN(storage::ChunkStore * store,
                               node_->drive(req->drive()));
        if (req->tasks_size() > kMaxPullTasks) {
          return absl::InvalidArgumentError(
              absl::StrCat("at most ", kMaxPullTasks, " tasks per call"));
        }
        if (repair_.fetcher == nullptr) {
          return absl::FailedPreconditionError("this node cannot pull");
        }
        std::vector<absl::StatusOr<repair::PullTask>> tasks;
        tasks.reserve(req->tasks_size());
        for (const auto& t : req->tasks()) {
          tasks.push_back(PullTaskFromProto(t));
        }
        repair::StoreDestination dest(store);
        repair::PullResult r =
            puller_.Pull(&dest, pull_limiters_.at(req->drive()).get(), tasks);
        for (const absl::Status& s : r.statuses) {
          StatusToProto(s, resp->add_statuses());
        }
        resp->set_bytes_copied(r.bytes_copied);
        repair_bytes_->Add(r.bytes_copied);
        return absl::OkStatus();
      },
      repair_.executor);
}

grpc::ServerUnaryReactor* NodeServiceImpl::VerifyChunks(
    grpc::CallbackServerContext* ctx, const v1::VerifyChunksRequest* req,
    v1::VerifyChunksResponse* resp) {
  return Unary(
      ctx, "VerifyChunks", NodeCaller::kAccountData, req->account(),
      [this, req, resp]() -> absl::Status {
        DRIVE_ASSIGN_OR_RETURN(storage::ChunkStore * store,
                               node_->drive(req->drive()));
        DRIVE_RETURN_IF_ERROR(ValidateAccountName(req->account()));
        if (req->chunk_ids_size() > kMaxVerifyIds) {
          return absl::InvalidArgumentError(
              absl::StrCat("at most ", kMaxVerifyIds, " ids per call"));
        }
        for (const auto& raw : req->chunk_ids()) {
          DRIVE_ASSIGN_OR_RETURN(ChunkId id, ChunkId::FromBytes(raw));
          absl::Status s =
              repair_.scrubber
                  ? repair_.scrubber->Check(req->drive(), req->account(), id)
                  : store->Get(req->account(), id).status();
          StatusToProto(s, resp->add_statuses());
        }
        return absl::OkStatus();
      },
      repair_.executor ? repair_.executor : read_executor_);
}

grpc::ServerUnaryReactor* NodeServiceImpl::Scrub(
    grpc::CallbackServerContext* ctx, const v1::ScrubRequest* req,
    v1::ScrubResponse* resp) {
  return Unary(
      ctx, "Scrub", NodeCaller::kCluster, "",
      [this, req, resp]() -> absl::Status {
        if (repair_.scrubber == nullptr) {
          return absl::FailedPreconditionError("scrubbing is off on this node");
        }
        if (!req->drive().empty()) {
          DRIVE_RETURN_IF_ERROR(node_->drive(req->drive()).status());
        }
        if (req->start()) {
          DRIVE_ASSIGN_OR_RETURN(scrubber::ScrubResult r,
                                 repair_.scrubber->ScrubNow(req->drive()));
          resp->set_verified_chunks(r.verified_chunks);
          resp->set_corrupt_found(r.corrupt_found);
          resp->set_repaired(r.repaired);
        }
        for (const auto& p : repair_.scrubber->Progress()) {
          if (req->drive().empty() || p.drive == req->drive()) {
            ToProto(p, resp->add_drives());
          }
        }
        return absl::OkStatus();
      },
      repair_.executor ? repair_.executor : read_executor_);
}

grpc::ServerUnaryReactor* NodeServiceImpl::PutBackupRecord(
    grpc::CallbackServerContext* ctx, const v1::PutBackupRecordRequest* req,
    v1::PutBackupRecordResponse*) {
  return Unary(
      ctx, "PutBackupRecord", NodeCaller::kCluster, "",
      [this, req]() -> absl::Status {
        DRIVE_RETURN_IF_ERROR(CheckBackupId(req->id()));
        for (const auto& id : req->remove_ids()) {
          DRIVE_RETURN_IF_ERROR(CheckBackupId(id));
        }
        if (req->record().size() > kMaxBackupRecordBytes) {
          return absl::InvalidArgumentError("backup record over 1 MiB");
        }
        std::vector<std::string> drives = node_->drive_names();
        if (!req->drive().empty()) drives = {req->drive()};
        for (const auto& name : drives) {
          DRIVE_ASSIGN_OR_RETURN(storage::ChunkStore * store,
                                 node_->drive(name));
          DRIVE_RETURN_IF_ERROR(
              store->PutMeta(kBackupPrefix + req->id(), req->record()));
          for (const auto& id : req->remove_ids()) {
            DRIVE_RETURN_IF_ERROR(store->DeleteMeta(kBackupPrefix + id));
          }
        }
        return absl::OkStatus();
      },
      write_executor_);
}

grpc::ServerUnaryReactor* NodeServiceImpl::ListBackupRecords(
    grpc::CallbackServerContext* ctx, const v1::ListBackupRecordsRequest*,
    v1::ListBackupRecordsResponse* resp) {
  return Unary(
      ctx, "ListBackupRecords", NodeCaller::kCluster, "",
      [this, resp]() -> absl::Status {
        std::map<std::string, std::string> records;
        for (const auto& name : node_->drive_names()) {
          DRIVE_ASSIGN_OR_RETURN(storage::ChunkStore * store,
                                 node_->drive(name));
          DRIVE_RETURN_IF_ERROR(store->ScanMeta(
              kBackupPrefix, [&](std::string_view k, std::string_view v) {
                records[std::string(k.substr(2))] = std::string(v);
                return true;
              }));
        }
        for (auto it = records.rbegin(); it != records.rend(); ++it) {
          auto* r = resp->add_records();
          r->set_id(it->first);
          r->set_record(it->second);
        }
        return absl::OkStatus();
      });
}

}  // namespace drive::rpc
