// DriveClient: files in, files out. Upload outline, per batch of up to
// parallel_chunks chunks (so memory stays bounded and the file is read once):
//   1. read and hash the chunks; find each chunk's PG and its six drives;
//   2. ask every involved drive, in one call each, which chunks it holds
//   3. write each chunk once to the drives that lack it (forwarding tree,
//      see chunk_transport.h), retrying without drives that failed;
//   4. require the quorum (quorum_local in the writer's region, quorum_remote
//      in the other) from the holders, else fail with kUnavailable.
// Nothing is committed until every chunk of the file met its quorum.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "client/lib/internal/chunk_transport.h"
#include "client/lib/internal/replication.h"
#include "common/content_type.h"
#include "common/file_path.h"
#include "common/grpc/coordinator_client.h"
#include "common/grpc/metadata.h"
#include "common/grpc/placement_map_convert.h"
#include "common/grpc/status_convert.h"
#include "common/placement_group.h"
#include "common/placement_map.h"
#include "common/status_macros.h"
#include "common/status_util.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "drive/client.h"
#include "drive/v1/coordinator.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace drive::client {

namespace v1 = drive::v1;
using internal::ChunkCallContext;

namespace {

// The attributes the coordinator checks on commit, checked before any
// chunk is sent.
absl::Status ValidateAttributes(const std::string& path,
                                const std::string& content_type,
                                int64_t mtime_ms) {
  DRIVE_RETURN_IF_ERROR(Annotate(ValidateContentType(content_type), path));
  return Annotate(ValidateTimestampMs("mtime", mtime_ms), path);
}

FileInfo FromManifest(const v1::FileManifest& m, const PlacementMap* map) {
  FileInfo f;
  f.path = m.path();
  f.size = m.size();
  f.mtime_ms = m.mtime_unix_ms();
  f.content_type = m.content_type();
  if (auto h = ChunkId::FromBytes(m.hash()); h.ok()) f.hash = *h;
  f.version = m.version();
  f.durability = m.durability();
  f.committed_ms = m.committed_unix_ms();
  for (const auto& c : m.chunks()) {
    ChunkInfo ci;
    if (auto id = ChunkId::FromBytes(c.id()); id.ok()) ci.id = *id;
    ci.size = c.size();
    for (const auto& r : c.replicas()) {
      ReplicaInfo ri;
      ri.drive = r;
      const DriveInfo* d = map ? map->FindDrive(r) : nullptr;
      ri.node = d ? d->node : r.substr(0, r.find('/'));
      ri.region = d ? d->region : "";
      ri.state = d ? DriveStateName(d->state) : "unknown";
      ci.replicas.push_back(std::move(ri));
    }
    f.chunks.push_back(std::move(ci));
  }
  return f;
}

void ToManifest(const FileInfo& f, v1::FileManifest* m) {
  m->set_path(f.path);
  m->set_size(f.size);
  m->set_mtime_unix_ms(f.mtime_ms);
  m->set_content_type(f.content_type);
  m->set_hash(std::string(f.hash.bytes()));
  for (const auto& c : f.chunks) {
    auto* pc = m->add_chunks();
    pc->set_id(std::string(c.id.bytes()));
    pc->set_size(c.size);
    for (const auto& r : c.replicas) pc->add_replicas(r.drive);
  }
}

}  // namespace

struct DriveClient::Impl {
  ClientOptions options;
  std::unique_ptr<CoordinatorClient> coordinator;
  PeerChannels channels;

  absl::Mutex mu;
  std::shared_ptr<const PlacementMap> map ABSL_GUARDED_BY(mu);
  // The coordinator's clock when it sent `map`, Unix ms.
  int64_t map_server_unix_ms ABSL_GUARDED_BY(mu) = 0;
  absl::Time map_time ABSL_GUARDED_BY(mu);
  std::string data_token ABSL_GUARDED_BY(mu);
  int64_t token_expires ABSL_GUARDED_BY(mu) = 0;

  // One unary coordinator call with the bearer token and deadline, with
  // failover between the listed coordinators.
  template <typename Request, typename Response>
  absl::Status Call(grpc::Status (v1::CoordinatorService::Stub::*method)(
                        grpc::ClientContext*, const Request&, Response*),
                    const Request& req, Response* resp) const {
    return coordinator->Call(method, req, resp);
  }

  // The cached map, refetched when older than a few seconds (drive states
  // change without an epoch bump) or when `force`. If `server_unix_ms` is
  // not null, sets it to the coordinator's clock when it sent that map.
  absl::StatusOr<std::shared_ptr<const PlacementMap>> Map(
      bool force = false, int64_t* server_unix_ms = nullptr) {
    {
      absl::MutexLock lock(&mu);
      if (map && !force && absl::Now() - map_time < absl::Seconds(3)) {
        if (server_unix_ms != nullptr) *server_unix_ms = map_server_unix_ms;
        return map;
      }
    }
    v1::PlacementMapInfo info;
    absl::Status s = Call(&v1::CoordinatorService::Stub::GetPlacementMap,
                          v1::GetPlacementMapRequest(), &info);
    if (!s.ok()) return Annotate(s, "fetching the placement map");
    auto fresh =
        std::make_shared<const PlacementMap>(PlacementMapFromProto(info));
    absl::MutexLock lock(&mu);
    map = fresh;
    map_server_unix_ms = info.server_unix_ms();
    map_time = absl::Now();
    if (server_unix_ms != nullptr) *server_unix_ms = map_server_unix_ms;
    return map;
  }

  absl::StatusOr<ChunkCallContext> CallContext() {
    absl::MutexLock lock(&mu);
    int64_t now = absl::ToUnixSeconds(absl::Now());
    if (token_expires - now < 300) {
      v1::GetDataTokenRequest req;
      req.set_account(options.account);
      v1::GetDataTokenResponse resp;
      absl::Status s =
          Call(&v1::CoordinatorService::Stub::GetDataToken, req, &resp);
      if (!s.ok()) return Annotate(s, "getting a data token");
      data_token = resp.token();
      token_expires = resp.expires_unix_s();
    }
    return ChunkCallContext{&channels, data_token, options.account,
                            options.chunk_timeout};
  }

  std::string WriterRegion(const PlacementMap& m) const {
    return options.region.empty() && !m.regions().empty() ? m.regions()[0]
                                                          : options.region;
  }

  void ReportBad(const ChunkId& id, const std::string& drive,
                 const absl::Status& why) {
    v1::ReportBadReplicaRequest req;
    req.set_account(options.account);
    req.set_chunk_id(std::string(id.bytes()));
    req.set_drive_id(drive);
    req.set_reason(why.ToString());
    v1::ReportBadReplicaResponse resp;
    // Best effort: the read already succeeded or failed on its own terms.
    Call(&v1::CoordinatorService::Stub::ReportBadReplica, req, &resp)
        .IgnoreError();
  }

  internal::QuorumPolicy Quorum(const PlacementMap& m) const {
    return {WriterRegion(m), options.quorum_local, options.quorum_remote};
  }
};

DriveClient::DriveClient(ClientOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {}

DriveClient::~DriveClient() = default;

absl::StatusOr<std::unique_ptr<DriveClient>> DriveClient::Connect(
    ClientOptions options) {
  if (options.token.empty())
    return absl::InvalidArgumentError("no token (set DRIVE_TOKEN)");
  CoordinatorClientOptions co;
  co.coordinators = options.coordinator;
  co.region = options.region;
  co.token = options.token;
  co.timeout = options.timeout;
  DRIVE_ASSIGN_OR_RETURN(auto coordinator, CoordinatorClient::Create(co));
  std::unique_ptr<DriveClient> c(new DriveClient(options));
  c->impl_->options = options;
  c->impl_->coordinator = std::move(coordinator);
  DRIVE_RETURN_IF_ERROR(c->impl_->Map(true).status());
  return c;
}

absl::StatusOr<PreparedFile> DriveClient::UploadStream(
    const std::function<absl::StatusOr<size_t>(char*, size_t)>& read,
    const std::string& remote_path, const std::string& content_type,
    int64_t mtime_ms, ProgressFn progress) {
  DRIVE_RETURN_IF_ERROR(ValidateFilePath(remote_path));
  DRIVE_RETURN_IF_ERROR(
      ValidateAttributes(remote_path, content_type, mtime_ms));
  DRIVE_ASSIGN_OR_RETURN(ChunkCallContext ctx, impl_->CallContext());
  internal::GrpcChunkTransport transport(ctx);
  PreparedFile out;
  // The map was fetched before any HasChunks call below: its server time
  // is a safe lower bound of when this upload looked for copies.
  DRIVE_ASSIGN_OR_RETURN(auto map,
                         impl_->Map(/*force=*/false, &out.upload_started_ms));
  out.info.path = remote_path;
  out.info.mtime_ms = mtime_ms;
  out.info.content_type = content_type;
  StreamHasher whole;
  bool eof = false;
  size_t batch_size =
      static_cast<size_t>(std::max(1, options_.parallel_chunks));
  while (!eof) {
    // 1. Read and hash up to batch_size chunks.
    std::vector<internal::PendingChunk> batch;
    while (batch.size() < batch_size && !eof) {
      internal::PendingChunk c;
      c.data.resize(kMaxChunkBytes);
      size_t filled = 0;
      while (filled < kMaxChunkBytes) {
        DRIVE_ASSIGN_OR_RETURN(
            size_t n, read(c.data.data() + filled, kMaxChunkBytes - filled));
        if (n == 0) {
          eof = true;
          break;
        }
        filled += n;
      }
      c.data.resize(filled);
      if (filled == 0) break;
      if (out.info.content_type.empty() && out.info.chunks.empty() &&
          batch.empty()) {
        out.info.content_type =
            GuessContentType(remote_path, c.data.substr(0, 64));
      }
      whole.Update(c.data);
      c.id = ChunkId::Of(c.data);
      c.placed = map->PgDrives(PgOf(options_.account, c.id, map->pg_count()));
      batch.push_back(std::move(c));
    }
    if (batch.empty()) break;
    DRIVE_RETURN_IF_ERROR(Annotate(
        internal::ReplicateBatch(batch, transport, impl_->Quorum(*map), *map),
        remote_path));
    for (auto& c : batch) {
      out.bytes_sent += c.writes * c.data.size();
      if (c.writes == 0) ++out.chunks_skipped;
      ChunkInfo ci;
      ci.id = c.id;
      ci.size = c.data.size();
      for (const auto& h : c.holders) ci.replicas.push_back({h, "", "", ""});
      out.info.size += ci.size;
      out.info.chunks.push_back(std::move(ci));
      if (progress) progress(c.data.size());
    }
  }
  if (out.info.content_type.empty()) {
    out.info.content_type = GuessContentType(remote_path, "");
  }
  out.info.hash = whole.Digest();
  return out;
}

absl::StatusOr<PreparedFile> DriveClient::Upload(
    const std::string& local_path, const std::string& remote_path,
    const std::string& content_type, ProgressFn progress) {
  int fd = ::open(local_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoToStatus(errno, "opening " + local_path);
  struct stat st {};
  ::fstat(fd, &st);
  int64_t mtime_ms = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 +
                     st.st_mtim.tv_nsec / 1000000;
  // A local file's mtime is a hint: one outside the stored range (a file
  // dated before 1970) is kept at the nearest end rather than refused.
  mtime_ms = std::clamp(mtime_ms, kMinTimestampMs, kMaxTimestampMs);
  auto read = [&](char* buf, size_t max) -> absl::StatusOr<size_t> {
    while (true) {
      ssize_t n = ::read(fd, buf, max);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return ErrnoToStatus(errno, "reading " + local_path);
    }
  };
  auto result =
      UploadStream(read, remote_path, content_type, mtime_ms, progress);
  ::close(fd);
  if (result.ok() && static_cast<uint64_t>(st.st_size) != result->info.size) {
    return absl::AbortedError(local_path +
                              " changed size while it was uploaded");
  }
  return result;
}

absl::StatusOr<std::vector<FileInfo>> DriveClient::Commit(
    const std::vector<PreparedFile>& files,
    const std::vector<uint64_t>* expected_versions) {
  v1::CommitFilesRequest req;
  req.set_account(options_.account);
  // The earliest start is the one that matters; one unknown makes it 0.
  bool unknown = files.empty();
  int64_t started = INT64_MAX;
  for (const auto& f : files) {
    DRIVE_RETURN_IF_ERROR(
        ValidateAttributes(f.info.path, f.info.content_type, f.info.mtime_ms));
    ToManifest(f.info, req.add_files());
    if (f.upload_started_ms == 0) unknown = true;
    started = std::min(started, f.upload_started_ms);
  }
  if (unknown) started = 0;
  req.set_upload_started_unix_ms(started);
  if (expected_versions != nullptr) {
    for (uint64_t v : *expected_versions) req.add_expected_versions(v);
  }
  v1::CommitFilesResponse resp;
  DRIVE_RETURN_IF_ERROR(
      impl_->Call(&v1::CoordinatorService::Stub::CommitFiles, req, &resp));
  DRIVE_ASSIGN_OR_RETURN(auto map, impl_->Map());
  std::vector<FileInfo> out;
  for (const auto& m : resp.files()) out.push_back(FromManifest(m, map.get()));
  return out;
}

absl::StatusOr<FileInfo> DriveClient::PutFile(const std::string& local_path,
                                              const std::string& remote_path,
                                              ProgressFn progress,
                                              PreparedFile* uploaded) {
  for (int attempt = 1;; ++attempt) {
    DRIVE_ASSIGN_OR_RETURN(PreparedFile p,
                           Upload(local_path, remote_path, "", progress));
    if (uploaded != nullptr) *uploaded = p;
    auto committed = Commit({p});
    if (committed.ok()) return committed->at(0);
    if (!IsUploadAgain(committed.status()) || attempt == 3)
      return committed.status();
    // Deletes of the chunks it found may still be running; a fresh
    // upload after they finish writes its own copies.
    absl::SleepFor(absl::Seconds(2 * attempt));
    impl_->Map(/*force=*/true).IgnoreError();  // a new start time
  }
}

absl::Status DriveClient::Read(
    const std::string& remote_path, uint64_t offset, uint64_t length,
    const std::function<absl::Status(std::string_view)>& sink,
    const FileInfo* known) {
  FileInfo stat;
  if (known == nullptr) {
    DRIVE_ASSIGN_OR_RETURN(stat, Stat(remote_path));
    known = &stat;
  }
  if (offset > known->size) {
    return absl::OutOfRangeError(
        absl::StrCat("offset ", offset, " is past the end of ", remote_path,
                     " (", known->size, " bytes)"));
  }
  uint64_t end =
      length == 0 ? known->size : std::min(known->size, offset + length);
  uint64_t chunk_start = 0;
  for (size_t i = 0; i < known->chunks.size(); ++i) {
    const ChunkInfo& c = known->chunks[i];
    uint64_t chunk_end = chunk_start + c.size;
    if (chunk_end > offset && chunk_start < end) {
      DRIVE_ASSIGN_OR_RETURN(std::string data, ReadChunk(*known, i));
      uint64_t from = std::max(offset, chunk_start) - chunk_start;
      uint64_t to = std::min(end, chunk_end) - chunk_start;
      DRIVE_RETURN_IF_ERROR(
          sink(std::string_view(data).substr(from, to - from)));
    }
    if (chunk_end >= end) break;
    chunk_start = chunk_end;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> DriveClient::ReadChunk(const FileInfo& file,
                                                   size_t index) {
  if (index >= file.chunks.size()) {
    return absl::OutOfRangeError(absl::StrCat(
        file.path, " has ", file.chunks.size(), " chunks, not ", index + 1));
  }
  const ChunkInfo& c = file.chunks[index];
  DRIVE_ASSIGN_OR_RETURN(ChunkCallContext ctx, impl_->CallContext());
  internal::GrpcChunkTransport transport(ctx);
  DRIVE_ASSIGN_OR_RETURN(auto map, impl_->Map());
  std::vector<std::string> recorded;
  for (const auto& r : c.replicas) recorded.push_back(r.drive);
  auto candidates = internal::ReadCandidates(
      recorded, map->PgDrives(PgOf(options_.account, c.id, map->pg_count())),
      *map, impl_->WriterRegion(*map));
  return internal::FetchVerified(
      c.id, candidates, {recorded.begin(), recorded.end()}, transport,
      [&](const std::string& drive, const absl::Status& why) {
        impl_->ReportBad(c.id, drive, why);
      });
}

absl::Status DriveClient::CheckToken(const std::string& account,
                                     const std::string& token) {
  if (token.empty()) return absl::UnauthenticatedError("missing token");
  v1::GetDataTokenRequest req;
  req.set_account(account);
  v1::GetDataTokenResponse resp;
  CoordinatorClient::CallOptions call;
  call.token = token;
  return impl_->coordinator->Call(&v1::CoordinatorService::Stub::GetDataToken,
                                  req, &resp, call);
}

absl::Status DriveClient::RefreshMap() { return impl_->Map(true).status(); }

absl::StatusOr<FileInfo> DriveClient::GetFile(const std::string& remote_path,
                                              const std::string& local_path,
                                              ProgressFn progress) {
  DRIVE_ASSIGN_OR_RETURN(FileInfo f, Stat(remote_path));
  std::string partial = local_path + ".drive-partial";
  int fd =
      ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoToStatus(errno, "creating " + partial);
  StreamHasher hasher;
  absl::Status s = Read(
      remote_path, 0, 0,
      [&](std::string_view piece) -> absl::Status {
        hasher.Update(piece);
        size_t done = 0;
        while (done < piece.size()) {
          ssize_t n = ::write(fd, piece.data() + done, piece.size() - done);
          if (n < 0 && errno == EINTR) continue;
          if (n < 0) return ErrnoToStatus(errno, "writing " + partial);
          done += static_cast<size_t>(n);
        }
        if (progress) progress(piece.size());
        return absl::OkStatus();
      },
      &f);
  ::close(fd);
  if (s.ok() && hasher.Digest() != f.hash) {
    s = absl::DataLossError(remote_path +
                            ": downloaded bytes do not match the file hash");
  }
  if (!s.ok()) {
    ::unlink(partial.c_str());
    return s;
  }
  if (::rename(partial.c_str(), local_path.c_str()) != 0) {
    return ErrnoToStatus(errno, "renaming " + partial);
  }
  return f;
}

absl::StatusOr<FileInfo> DriveClient::Stat(const std::string& remote_path) {
  v1::StatFileRequest req;
  req.set_account(options_.account);
  req.set_path(remote_path);
  v1::StatFileResponse resp;
  DRIVE_RETURN_IF_ERROR(
      impl_->Call(&v1::CoordinatorService::Stub::StatFile, req, &resp));
  DRIVE_ASSIGN_OR_RETURN(auto map, impl_->Map());
  return FromManifest(resp.file(), map.get());
}

absl::StatusOr<Listing> DriveClient::List(const std::string& prefix,
                                          const std::string& cursor,
                                          uint32_t limit) {
  v1::ListFilesRequest req;
  req.set_account(options_.account);
  req.set_prefix(prefix);
  req.set_cursor(cursor);
  req.set_limit(limit);
  v1::ListFilesResponse resp;
  DRIVE_RETURN_IF_ERROR(
      impl_->Call(&v1::CoordinatorService::Stub::ListFiles, req, &resp));
  Listing out;
  for (const auto& m : resp.files())
    out.files.push_back(FromManifest(m, nullptr));
  out.next_cursor = resp.next_cursor();
  return out;
}

absl::StatusOr<FileInfo> DriveClient::Move(const std::string& from,
                                           const std::string& to,
                                           bool overwrite) {
  v1::MoveFileRequest req;
  req.set_account(options_.account);
  req.set_from_path(from);
  req.set_to_path(to);
  req.set_overwrite(overwrite);
  v1::MoveFileResponse resp;
  DRIVE_RETURN_IF_ERROR(
      impl_->Call(&v1::CoordinatorService::Stub::MoveFile, req, &resp));
  return FromManifest(resp.file(), nullptr);
}

absl::StatusOr<TrashItem> DriveClient::Delete(const std::string& remote_path) {
  v1::DeleteFileRequest req;
  req.set_account(options_.account);
  req.set_path(remote_path);
  v1::DeleteFileResponse resp;
  DRIVE_RETURN_IF_ERROR(
      impl_->Call(&v1::CoordinatorService::Stub::DeleteFile, req, &resp));
  TrashItem t;
  t.trash_id = resp.trash_id();
  t.file.path = remote_path;
  t.purge_after_ms = resp.purge_after_unix_ms();
  return t;
}

absl::StatusOr<std::vector<TrashItem>> DriveClient::ListTrash(
    const std::string& prefix) {
  v1::ListTrashRequest req;
  req.set_account(options_.account);
  req.set_prefix(prefix);
  v1::ListTrashResponse resp;
  DRIVE_RETURN_IF_ERROR(
      impl_->Call(&v1::CoordinatorService::Stub::ListTrash, req, &resp));
  std::vector<TrashItem> out;
  for (const auto& e : resp.entries()) {
    out.push_back({e.trash_id(), FromManifest(e.file(), nullptr),
                   e.deleted_unix_ms(), e.purge_after_unix_ms()});
  }
  return out;
}

absl::StatusOr<FileInfo> DriveClient::Restore(const std::string& id_or_path,
                                              const std::string& to_path) {
  v1::RestoreFileRequest req;
  req.set_account(options_.account);
  req.set_trash_id_or_path(id_or_path);
  req.set_to_path(to_path);
  v1::RestoreFileResponse resp;
  DRIVE_RETURN_IF_ERROR(
      impl_->Call(&v1::CoordinatorService::Stub::RestoreFile, req, &resp));
  return FromManifest(resp.file(), nullptr);
}

}  // namespace drive::client
