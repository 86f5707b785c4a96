// Restore outline: ask the given nodes for their backup records (every
// drive keeps every record), pick the newest (or the named one), then for
// each file of the backup read its chunks from the drives the record names
// (then from any drive it lists), verify each chunk and the whole file,
// write and fsync it into a temporary directory, and rename that into
// place. Nothing is left at data_dir unless every file verified.

#include "drive/metadata_restore.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/chunk_id.h"
#include "common/grpc/chunk_read.h"
#include "common/grpc/metadata.h"
#include "common/grpc/peer_channels.h"
#include "common/grpc/status_convert.h"
#include "common/status_macros.h"
#include "common/status_util.h"
#include "grpcpp/grpcpp.h"
#include "nlohmann/json.hpp"

namespace drive::client {
namespace {

namespace v1 = drive::v1;
using Json = nlohmann::json;

// kInvalidArgument (make no call) when the token cannot be metadata.
absl::Status Prepare(grpc::ClientContext* ctx, const std::string& token,
                     int seconds) {
  DRIVE_RETURN_IF_ERROR(AddMetadata(ctx, kClusterTokenKey, token));
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(seconds));
  return absl::OkStatus();
}

// Every record any of the nodes has, by id.
absl::StatusOr<std::map<std::string, Json>> Records(
    PeerChannels& peers, const std::vector<std::string>& nodes,
    const std::string& token) {
  std::map<std::string, Json> out;
  absl::Status last = absl::InvalidArgumentError("no node given");
  for (const auto& node : nodes) {
    grpc::ClientContext ctx;
    DRIVE_RETURN_IF_ERROR(Prepare(&ctx, token, 30));
    v1::ListBackupRecordsResponse resp;
    grpc::Status s = peers.StubFor(node)->ListBackupRecords(
        &ctx, v1::ListBackupRecordsRequest(), &resp);
    if (!s.ok()) {
      last = Annotate(FromGrpcStatus(s), "asking ", node);
      continue;
    }
    for (const auto& r : resp.records()) {
      Json j = Json::parse(r.record(), nullptr, false);
      if (j.is_object() && j.value("v", 0) == 1) out[r.id()] = std::move(j);
    }
    last = absl::OkStatus();
  }
  if (out.empty() && !last.ok()) return last;
  return out;
}

BackupSummary Summary(const std::string& id, const Json& j) {
  BackupSummary b;
  b.id = id;
  b.created_ms = j.value("created_ms", int64_t{0});
  const Json files = j.value("files", Json::array());
  for (const auto& f : files) {
    ++b.files;
    if (f.is_object()) b.bytes += f.value("size", uint64_t{0});
  }
  return b;
}

absl::Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoToStatus(errno, "writing " + path);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status SyncPath(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoToStatus(errno, "opening " + path);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  return rc == 0 ? absl::OkStatus() : ErrnoToStatus(err, "syncing " + path);
}

}  // namespace

absl::StatusOr<std::vector<BackupSummary>> ListMetadataBackups(
    const std::vector<std::string>& nodes, const std::string& cluster_token) {
  PeerChannels peers;
  DRIVE_ASSIGN_OR_RETURN(auto records, Records(peers, nodes, cluster_token));
  std::vector<BackupSummary> out;
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    out.push_back(Summary(it->first, it->second));
  }
  return out;
}

absl::StatusOr<RestoreReport> RestoreMetadata(const RestoreOptions& o) {
  std::error_code ec;
  if (o.data_dir.empty()) return absl::InvalidArgumentError("no --data given");
  if (std::filesystem::exists(o.data_dir, ec)) {
    return absl::AlreadyExistsError(o.data_dir +
                                    " exists; restore into a new directory");
  }
  PeerChannels peers;
  DRIVE_ASSIGN_OR_RETURN(auto records,
                         Records(peers, o.nodes, o.cluster_token));
  if (records.empty()) return absl::NotFoundError("no node has a backup");
  auto chosen = o.backup_id.empty() ? std::prev(records.end())
                                    : records.find(o.backup_id);
  if (chosen == records.end()) {
    return absl::NotFoundError("no backup " + o.backup_id);
  }
  const Json& rec = chosen->second;
  RestoreReport report;
  report.backup = Summary(chosen->first, rec);
  std::string account = rec.value("account", "");
  std::map<std::string, std::pair<std::string, std::string>> drives;  // id ->
  const Json drive_map = rec.value("drives", Json::object());
  for (const auto& [id, d] : drive_map.items()) {
    if (d.is_object())
      drives[id] = {d.value("address", ""), d.value("drive", "")};
  }

  std::string tmp = o.data_dir + ".restoring";
  std::filesystem::remove_all(tmp, ec);
  std::filesystem::create_directories(tmp, ec);
  if (ec) return absl::UnavailableError("cannot create " + tmp);
  const Json files = rec.value("files", Json::array());
  for (const auto& f : files) {
    if (!f.is_object()) return absl::DataLossError("unreadable backup record");
    std::string name = f.value("name", "");
    if (name.empty() || name.find('/') != std::string::npos || name == "." ||
        name == "..") {
      return absl::DataLossError("backup record names a bad file '" + name +
                                 "'");
    }
    std::string path = tmp + "/" + name;
    int fd =
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return ErrnoToStatus(errno, "creating " + path);
    StreamHasher whole;
    absl::Status s;
    const Json chunks = f.value("chunks", Json::array());
    for (const auto& c : chunks) {
      if (!c.is_object()) {
        s = absl::DataLossError("unreadable backup record");
        break;
      }
      auto id = ChunkId::FromHex(c.value("id", ""));
      if (!id.ok()) {
        s = absl::DataLossError("backup record has a bad chunk id");
        break;
      }
      // The drives that held it at backup time, then every drive known.
      std::vector<std::string> order;
      const Json replicas = c.value("replicas", Json::array());
      for (const auto& r : replicas) {
        if (r.is_string()) order.push_back(r.get<std::string>());
      }
      for (const auto& [drive_id, where] : drives) order.push_back(drive_id);
      absl::StatusOr<std::string> data =
          absl::NotFoundError("no drive holds chunk " + id->ToHex());
      for (const auto& drive_id : order) {
        auto it = drives.find(drive_id);
        if (it == drives.end()) continue;
        grpc::ClientContext ctx;
        absl::Status prepared = Prepare(&ctx, o.cluster_token, 60);
        if (!prepared.ok()) {
          data = prepared;
          break;
        }
        data = ReadWholeChunk(peers.StubFor(it->second.first).get(), &ctx,
                              it->second.second, account, *id);
        if (data.ok() && ChunkId::Of(*data) == *id) break;
        if (data.ok()) {
          ++report.bad_copies_skipped;
          data = absl::DataLossError("copy of " + id->ToHex() + " on " +
                                     drive_id + " is corrupt");
        }
      }
      if (!data.ok()) {
        s = data.status();
        break;
      }
      ++report.chunks_read;
      whole.Update(*data);
      s = WriteAll(fd, *data, path);
      if (!s.ok()) break;
    }
    if (s.ok() && ::fsync(fd) != 0) s = ErrnoToStatus(errno, "syncing " + path);
    ::close(fd);
    if (s.ok() && whole.Digest().ToHex() != f.value("hash", "")) {
      s = absl::DataLossError(name + " does not match its recorded hash");
    }
    if (!s.ok()) {
      std::filesystem::remove_all(tmp, ec);
      return Annotate(s, "restoring ", name);
    }
  }
  DRIVE_RETURN_IF_ERROR(SyncPath(tmp));
  std::filesystem::rename(tmp, o.data_dir, ec);
  if (ec)
    return absl::UnavailableError("cannot rename " + tmp + ": " + ec.message());
  std::string parent = std::filesystem::path(o.data_dir).parent_path().string();
  DRIVE_RETURN_IF_ERROR(SyncPath(parent.empty() ? "." : parent));
  return report;
}

}  // namespace drive::client
