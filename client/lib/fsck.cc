// fsck outline: list the accounts and their files (paged), stat each file
// for its chunk list, then per batch of files ask each placed drive in one
// HasChunks call (and, deep, one VerifyChunks call per 1000 copies) which
// chunks it holds, and describe every chunk that has fewer than six good
// copies on its placed drives. An unreachable drive counts its copies as
// missing: fsck reports what a reader can rely on now.

#include "drive/fsck.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/grpc/coordinator_client.h"
#include "common/grpc/metadata.h"
#include "common/grpc/peer_channels.h"
#include "common/grpc/placement_map_convert.h"
#include "common/grpc/status_convert.h"
#include "common/metadata_value.h"
#include "common/placement_group.h"
#include "common/placement_map.h"
#include "common/status_macros.h"
#include "drive/admin_client.h"
#include "drive/v1/coordinator.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace drive::client {
namespace {

namespace v1 = drive::v1;

constexpr size_t kFilesPerBatch = 200;
constexpr int kVerifyBatch = 1000;

struct ChunkCheck {
  std::string path;
  size_t index = 0;
  ChunkId id;
  std::vector<const DriveInfo*> placed;
  std::set<std::string> good;  // drive ids with a good copy
};

class Checker {
 public:
  Checker(const FsckOptions& o, std::unique_ptr<CoordinatorClient> coordinator)
      : options_(o), coordinator_(std::move(coordinator)) {}

  template <typename Req, typename Resp>
  absl::Status Call(grpc::Status (v1::CoordinatorService::Stub::*m)(
                        grpc::ClientContext*, const Req&, Resp*),
                    const Req& req, Resp* resp) {
    return coordinator_->Call(m, req, resp);
  }

  absl::Status LoadMap() {
    v1::PlacementMapInfo info;
    DRIVE_RETURN_IF_ERROR(Call(&v1::CoordinatorService::Stub::GetPlacementMap,
                               v1::GetPlacementMapRequest(), &info));
    map_ = std::make_unique<PlacementMap>(PlacementMapFromProto(info));
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> DataToken(const std::string& account) {
    v1::GetDataTokenRequest req;
    req.set_account(account);
    v1::GetDataTokenResponse resp;
    DRIVE_RETURN_IF_ERROR(
        Call(&v1::CoordinatorService::Stub::GetDataToken, req, &resp));
    DRIVE_RETURN_IF_ERROR(ValidateMetadataValue("data token", resp.token()));
    return resp.token();
  }

  // Fills `good` for every check from the placed drives' answers.
  void Probe(const std::string& account, const std::string& token,
             std::vector<ChunkCheck>& checks, FsckReport* report) {
    std::map<const DriveInfo*, std::vector<size_t>> by_drive;
    for (size_t i = 0; i < checks.size(); ++i) {
      for (const DriveInfo* d : checks[i].placed) by_drive[d].push_back(i);
    }
    for (const auto& [drive, idx] : by_drive) {
      for (size_t from = 0; from < idx.size(); from += kVerifyBatch) {
        size_t to = std::min(idx.size(), from + kVerifyBatch);
        grpc::ClientContext ctx;
        // Never fails: DataToken checked the token.
        if (!AddMetadata(&ctx, kDataTokenKey, token).ok()) return;
        ctx.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(options_.deep ? 600 : 30));
        if (options_.deep) {
          v1::VerifyChunksRequest req;
          req.set_drive(drive->name);
          req.set_account(account);
          for (size_t k = from; k < to; ++k)
            req.add_chunk_ids(std::string(checks[idx[k]].id.bytes()));
          v1::VerifyChunksResponse resp;
          grpc::Status s =
              peers_.StubFor(drive->address)->VerifyChunks(&ctx, req, &resp);
          report->copies_checked += to - from;
          if (!s.ok() || resp.statuses_size() != static_cast<int>(to - from))
            continue;
          for (size_t k = from; k < to; ++k) {
            if (StatusFromProto(resp.statuses(static_cast<int>(k - from)))
                    .ok()) {
              checks[idx[k]].good.insert(drive->id);
              ++report->copies_verified;
            }
          }
        } else {
          v1::HasChunksRequest req;
          req.set_drive(drive->name);
          req.set_account(account);
          for (size_t k = from; k < to; ++k)
            req.add_chunk_ids(std::string(checks[idx[k]].id.bytes()));
          v1::HasChunksResponse resp;
          grpc::Status s =
              peers_.StubFor(drive->address)->HasChunks(&ctx, req, &resp);
          report->copies_checked += to - from;
          if (!s.ok() || resp.present_size() != static_cast<int>(to - from))
            continue;
          for (size_t k = from; k < to; ++k) {
            if (resp.present(static_cast<int>(k - from)))
              checks[idx[k]].good.insert(drive->id);
          }
        }
      }
    }
  }

  void Judge(const std::string& account, const std::vector<ChunkCheck>& checks,
             FsckReport* report) {
    const size_t want = map_->regions().size() *
                        static_cast<size_t>(map_->replicas_per_region());
    for (const auto& c : checks) {
      std::map<std::string, int> per_region;
      std::vector<std::string> missing;
      for (const DriveInfo* d : c.placed) {
        if (c.good.count(d->id)) {
          per_region[d->region]++;
        } else {
          missing.push_back(d->id);
        }
      }
      int copies = static_cast<int>(c.good.size());
      if (static_cast<size_t>(copies) >= want && c.placed.size() >= want)
        continue;
      std::vector<std::string> regions;
      for (const auto& r : map_->regions()) {
        regions.push_back(absl::StrCat("region ", r, " has ", per_region[r]));
      }
      std::string text = absl::StrCat("chunk ", c.index, " of ", c.path, ": ",
                                      copies, copies == 1 ? " copy" : " copies",
                                      ", ", absl::StrJoin(regions, ", "));
      if (!missing.empty()) {
        absl::StrAppend(&text, "; missing on ", absl::StrJoin(missing, ", "));
      }
      if (c.placed.size() < want) {
        absl::StrAppend(&text, "; its PG has only ", c.placed.size(),
                        " drives (too few hosts)");
      }
      report->problems.push_back(
          {account, c.path, c.index, c.id, copies, missing, text});
    }
  }

  absl::Status CheckAccount(
      const std::string& account, FsckReport* report,
      const std::function<void(const std::string&, const std::string&)>&
          on_file) {
    DRIVE_ASSIGN_OR_RETURN(std::string token, DataToken(account));
    std::string cursor;
    do {
      v1::ListFilesRequest req;
      req.set_account(account);
      req.set_prefix(options_.prefix);
      req.set_cursor(cursor);
      req.set_limit(kFilesPerBatch);
      v1::ListFilesResponse resp;
      DRIVE_RETURN_IF_ERROR(
          Call(&v1::CoordinatorService::Stub::ListFiles, req, &resp));
      std::vector<ChunkCheck> checks;
      for (const auto& listed : resp.files()) {
        v1::StatFileRequest sreq;
        sreq.set_account(account);
        sreq.set_path(listed.path());
        v1::StatFileResponse sresp;
        absl::Status s =
            Call(&v1::CoordinatorService::Stub::StatFile, sreq, &sresp);
        if (absl::IsNotFound(s)) continue;  // deleted meanwhile
        DRIVE_RETURN_IF_ERROR(s);
        ++report->files;
        for (int i = 0; i < sresp.file().chunks_size(); ++i) {
          auto id = ChunkId::FromBytes(sresp.file().chunks(i).id());
          if (!id.ok()) continue;
          ChunkCheck c;
          c.path = listed.path();
          c.index = static_cast<size_t>(i);
          c.id = *id;
          c.placed = map_->PgDrives(PgOf(account, *id, map_->pg_count()));
          checks.push_back(std::move(c));
          ++report->chunks;
        }
        if (on_file) on_file(account, listed.path());
      }
      Probe(account, token, checks, report);
      Judge(account, checks, report);
      cursor = resp.next_cursor();
    } while (!cursor.empty());
    return absl::OkStatus();
  }

 private:
  FsckOptions options_;
  std::unique_ptr<CoordinatorClient> coordinator_;
  std::unique_ptr<PlacementMap> map_;
  PeerChannels peers_;
};

}  // namespace

absl::StatusOr<FsckReport> RunFsck(
    const FsckOptions& options,
    const std::function<void(const std::string&, const std::string&)>&
        on_file) {
  CoordinatorClientOptions co;
  co.coordinators = options.coordinator;
  co.token = options.admin_token;
  DRIVE_ASSIGN_OR_RETURN(auto coordinator, CoordinatorClient::Create(co));
  Checker checker(options, std::move(coordinator));
  DRIVE_RETURN_IF_ERROR(checker.LoadMap());
  std::vector<std::string> accounts;
  AdminClient admin(options.coordinator, options.admin_token);
  if (options.account.empty()) {
    DRIVE_ASSIGN_OR_RETURN(accounts, admin.ListAccounts());
  } else {
    accounts = {options.account};
  }
  FsckReport report;
  for (const auto& a : accounts) {
    DRIVE_RETURN_IF_ERROR(checker.CheckAccount(a, &report, on_file));
  }
  if (!report.ok()) {
    report.repair_queued = admin.Repair(/*wait=*/false).ok();
  }
  return report;
}

}  // namespace drive::client
