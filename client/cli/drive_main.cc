// `drive`: the photographers' command-line tool, a thin main over
// drive::client::DriveClient. Each subcommand parses its arguments, makes
// one or a few library calls and renders the result for humans or as JSON.
// Exit codes: 0 ok, 1 failed, 2 usage or configuration, 3 not found.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/cli/put_command.h"
#include "client/cli/share_command.h"
#include "client/cli_common/cli_common.h"
#include "common/allocator.h"
#include "common/chunk_id.h"
#include "common/file_path.h"
#include "common/status_util.h"
#include "common/strings.h"
#include "common/units.h"
#include "drive/client.h"
#include "nlohmann/json.hpp"

namespace drive::cli {
namespace {

namespace fs = std::filesystem;
using client::DriveClient;
using client::FileInfo;
using Json = nlohmann::ordered_json;

constexpr char kManifestName[] = "drive-export-manifest.json";
constexpr uint32_t kPageSize = 1000;

struct Args {
  // Connection settings (flags override the environment).
  std::string coordinator, account, token, region;
  PutOptions put;
  ShareOptions share;
  std::string remote, local, to, prefix;
  std::vector<std::string> paths;
  bool json = false, long_format = false, overwrite = false;
  int jobs = 4;
};

absl::StatusOr<client::ClientOptions> ResolveOptions(const Args& a) {
  client::ClientOptions o;
  auto coordinator = Setting(a.coordinator, "DRIVE_COORDINATOR",
                             "--coordinator", "coordinator address");
  if (!coordinator.ok()) return coordinator.status();
  auto account = Setting(a.account, "DRIVE_ACCOUNT", "--account", "account");
  if (!account.ok()) return account.status();
  auto token = Setting(a.token, "DRIVE_TOKEN", "--token", "account token");
  if (!token.ok()) return token.status();
  o.coordinator = *coordinator;
  o.account = *account;
  o.token = *token;
  o.region = *Setting(a.region, "DRIVE_REGION", "--region", "region", false);
  return o;
}

std::string Basename(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

// Calls `fn` for every file under `prefix`, page by page.
absl::Status ForEachFile(DriveClient& c, const std::string& prefix,
                         const std::function<void(const FileInfo&)>& fn) {
  std::string cursor;
  do {
    auto page = c.List(prefix, cursor, kPageSize);
    if (!page.ok()) return page.status();
    for (const auto& f : page->files) fn(f);
    cursor = page->next_cursor;
  } while (!cursor.empty());
  return absl::OkStatus();
}

int RunGet(DriveClient& c, const Args& a) {
  std::string remote = NormalizeRemote(a.remote);
  std::string local = a.local.empty() ? Basename(remote) : a.local;
  std::error_code ec;
  if (fs::is_directory(local, ec))
    local = (fs::path(local) / Basename(remote)).string();
  auto info = c.Stat(remote);
  if (!info.ok()) return Fail("get " + remote, info.status());
  ProgressBar bar("get", 1, info->size);
  auto f = c.GetFile(remote, local, [&](uint64_t n) { bar.AddBytes(n); });
  bar.Finish();
  if (!f.ok()) {
    // The file existed a moment ago, so kNotFound here is about the local
    // side (a missing directory), not a missing remote file.
    int rc = Fail("get " + remote, f.status());
    return rc == kExitNotFound ? kExitFailed : rc;
  }
  std::printf("%s -> %s (%s, hash verified)\n", remote.c_str(), local.c_str(),
              FormatBytes(f->size).c_str());
  return kExitOk;
}

int RunLs(DriveClient& c, const Args& a) {
  bool first = true;
  if (a.json) std::printf("[");
  absl::Status s =
      ForEachFile(c, NormalizeRemote(a.prefix), [&](const FileInfo& f) {
        if (a.json) {
          std::printf("%s\n  %s", first ? "" : ",",
                      FileJson(f, false).dump().c_str());
        } else if (a.long_format) {
          std::printf("%10s  %-4s  %s  v%-3llu  %-24s  %s  %s\n",
                      FormatBytes(f.size).c_str(), f.durability.c_str(),
                      FormatTimeMs(f.mtime_ms).c_str(),
                      static_cast<unsigned long long>(f.version),
                      f.content_type.c_str(), f.hash.ToHex().c_str(),
                      f.path.c_str());
        } else {
          std::printf("%10s  %-4s  %s  %s\n", FormatBytes(f.size).c_str(),
                      f.durability.c_str(), FormatTimeMs(f.mtime_ms).c_str(),
                      f.path.c_str());
        }
        first = false;
      });
  if (a.json) std::printf("%s]\n", first ? "" : "\n");
  std::fflush(stdout);
  if (!s.ok()) return Fail("ls", s);
  return kExitOk;
}

int RunStat(DriveClient& c, const Args& a) {
  std::string path = NormalizeRemote(a.remote);
  auto f = c.Stat(path);
  if (!f.ok()) return Fail("stat " + path, f.status());
  if (a.json) {
    std::printf("%s\n", FileJson(*f, true).dump(2).c_str());
    return kExitOk;
  }
  std::printf("path:          %s\n", f->path.c_str());
  std::printf("size:          %s (%llu bytes)\n", FormatBytes(f->size).c_str(),
              static_cast<unsigned long long>(f->size));
  std::printf("content type:  %s\n", f->content_type.c_str());
  std::printf("modified:      %s\n", FormatTimeMs(f->mtime_ms).c_str());
  std::printf("committed:     %s\n", FormatTimeMs(f->committed_ms).c_str());
  std::printf("version:       %llu\n",
              static_cast<unsigned long long>(f->version));
  std::printf("durability:    %s\n", f->durability.c_str());
  std::printf("hash:          %s\n", f->hash.ToHex().c_str());
  std::printf("chunks:        %zu\n", f->chunks.size());
  if (f->chunks.empty()) return kExitOk;
  std::printf("\n%5s  %-32s  %10s  %s\n", "#", "chunk", "size",
              "replicas (drive region state)");
  for (size_t i = 0; i < f->chunks.size(); ++i) {
    const auto& ch = f->chunks[i];
    std::vector<std::string> reps;
    for (const auto& r : ch.replicas) {
      reps.push_back(absl::StrCat(
          r.drive, " ", r.region.empty() ? "?" : r.region, " ", r.state));
    }
    std::printf("%5zu  %s  %10s  %s\n", i, ch.id.ToHex().c_str(),
                FormatBytes(ch.size).c_str(),
                absl::StrJoin(reps, ", ").c_str());
  }
  return kExitOk;
}

int RunMv(DriveClient& c, const Args& a) {
  std::string from = NormalizeRemote(a.paths.at(0)),
              to = NormalizeRemote(a.paths.at(1));
  auto f = c.Move(from, to, a.overwrite);
  if (!f.ok()) return Fail(absl::StrCat("mv ", from, " ", to), f.status());
  std::printf("%s -> %s (version %llu)\n", from.c_str(), f->path.c_str(),
              static_cast<unsigned long long>(f->version));
  return kExitOk;
}

int RunRm(DriveClient& c, const Args& a) {
  int rc = kExitOk;
  for (const auto& arg : a.paths) {
    std::string path = NormalizeRemote(arg);
    auto t = c.Delete(path);
    if (!t.ok()) {
      int code = Fail("rm " + path, t.status());
      if (rc == kExitOk) rc = code;
      continue;
    }
    std::printf("%s -> trash %s (restorable until %s)\n", path.c_str(),
                t->trash_id.c_str(), FormatTimeMs(t->purge_after_ms).c_str());
  }
  return rc;
}

int RunRestore(DriveClient& c, const Args& a) {
  auto f = c.Restore(a.remote, NormalizeRemote(a.to));
  if (!f.ok()) return Fail("restore " + a.remote, f.status());
  std::printf("restored %s (%s, version %llu)\n", f->path.c_str(),
              FormatBytes(f->size).c_str(),
              static_cast<unsigned long long>(f->version));
  return kExitOk;
}

int RunTrash(DriveClient& c, const Args& a) {
  auto items = c.ListTrash(NormalizeRemote(a.prefix));
  if (!items.ok()) return Fail("trash", items.status());
  if (a.json) {
    Json out = Json::array();
    for (const auto& t : *items) {
      Json j = {{"trash_id", t.trash_id},
                {"deleted_ms", t.deleted_ms},
                {"purge_after_ms", t.purge_after_ms}};
      j.update(FileJson(t.file, false));
      out.push_back(std::move(j));
    }
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  size_t id_width = 8;
  for (const auto& t : *items) id_width = std::max(id_width, t.trash_id.size());
  if (!items->empty()) {
    std::printf("%-*s  %-19s  %-19s  %10s  %s\n", static_cast<int>(id_width),
                "trash id", "deleted", "purged after", "size", "path");
  }
  for (const auto& t : *items) {
    std::printf("%-*s  %-19s  %-19s  %10s  %s\n", static_cast<int>(id_width),
                t.trash_id.c_str(), FormatTimeMs(t.deleted_ms).c_str(),
                FormatTimeMs(t.purge_after_ms).c_str(),
                FormatBytes(t.file.size).c_str(), t.file.path.c_str());
  }
  return kExitOk;
}

// The local path of `remote` under `root`, creating its parent directories.
// kInvalidArgument when it would land outside `root`: ValidateFilePath
// rejects ".." segments, and no directory on the way may be a symlink.
absl::StatusOr<fs::path> ExportTarget(const fs::path& root,
                                      const std::string& remote) {
  if (absl::Status s = ValidateFilePath(remote); !s.ok()) return s;
  if (remote == kManifestName) {
    return absl::AlreadyExistsError("clashes with the export manifest's name");
  }
  fs::path rel(remote);
  fs::path dir = root;
  for (auto it = rel.begin(); std::next(it) != rel.end(); ++it) {
    dir /= *it;
    std::error_code ec;
    fs::file_status st = fs::symlink_status(dir, ec);
    if (fs::is_symlink(st)) {
      return absl::InvalidArgumentError("refusing to follow the symlink " +
                                        dir.string());
    }
    if (fs::exists(st) && !fs::is_directory(st)) {
      return absl::AlreadyExistsError(dir.string() +
                                      " exists and is not a directory");
    }
    // Another worker may create it at the same time; that is not an error.
    if (!fs::exists(st) && !fs::create_directory(dir, ec) && ec) {
      return absl::InternalError("creating " + dir.string() + ": " +
                                 ec.message());
    }
  }
  return root / rel;
}

// Hashes a local file the way the cluster hashed its contents.
absl::StatusOr<ChunkId> HashLocalFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot open " + p.string());
  StreamHasher h;
  std::string buf(1 << 20, '\0');
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.Update(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
  }
  if (in.bad()) return absl::DataLossError("error reading " + p.string());
  return h.Digest();
}

int RunExport(DriveClient& c, const Args& a) {
  std::string prefix = a.paths.size() == 2 ? NormalizeRemote(a.paths[0]) : "";
  fs::path root = fs::absolute(a.paths.back()).lexically_normal();
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec)
    return Fail("export: creating " + root.string(),
                absl::InternalError(ec.message()));
  auto start = std::chrono::steady_clock::now();
  std::vector<FileInfo> listed;
  uint64_t total = 0;
  absl::Status s = ForEachFile(c, prefix, [&](const FileInfo& f) {
    total += f.size;
    listed.push_back(f);
  });
  if (!s.ok()) return Fail("export: listing", s);

  // Download, each file verified by the library against its hash.
  ProgressBar bar("export", listed.size(), total);
  std::vector<absl::StatusOr<FileInfo>> got(listed.size(),
                                            absl::UnknownError("not run"));
  ParallelFor(listed.size(), a.jobs, [&](size_t i) {
    auto target = ExportTarget(root, listed[i].path);
    got[i] = target.ok() ? c.GetFile(listed[i].path, target->string(),
                                     [&](uint64_t n) { bar.AddBytes(n); })
                         : absl::StatusOr<FileInfo>(target.status());
    if (!got[i].ok()) {
      bar.Message(absl::StrCat("drive: export ", listed[i].path, ": ",
                               got[i].status().message()));
    }
    bar.FileDone();
  });
  bar.Finish();

  Json files = Json::array(), failed = Json::array();
  std::vector<const FileInfo*> exported;
  uint64_t bytes = 0;
  for (size_t i = 0; i < listed.size(); ++i) {
    if (!got[i].ok()) {
      failed.push_back(
          {{"path", listed[i].path},
           {"error", std::string(Std(got[i].status().message()))}});
      continue;
    }
    const FileInfo& f = *got[i];
    exported.push_back(&f);
    bytes += f.size;
    files.push_back({{"path", f.path},
                     {"size", f.size},
                     {"hash", f.hash.ToHex()},
                     {"durability", f.durability}});
  }
  Json manifest = {
      {"account", c.options().account},
      {"exported_at",
       absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone())},
      {"prefix", prefix},
      {"files", files},
      {"failed", failed}};
  fs::path manifest_path = root / kManifestName;
  {
    std::ofstream out(manifest_path.string() + ".tmp", std::ios::trunc);
    out << manifest.dump(2) << "\n";
    out.close();
    if (!out ||
        (fs::rename(manifest_path.string() + ".tmp", manifest_path, ec), ec)) {
      return Fail("export: writing " + manifest_path.string(),
                  absl::InternalError(ec ? ec.message() : "write failed"));
    }
  }

  // Re-read every exported file and compare with the manifest's hash.
  std::vector<absl::Status> verified(exported.size());
  ParallelFor(exported.size(), a.jobs, [&](size_t i) {
    const FileInfo& f = *exported[i];
    auto h = HashLocalFile(root / f.path);
    if (!h.ok()) {
      verified[i] = h.status();
    } else if (*h != f.hash) {
      verified[i] = absl::DataLossError(
          "local copy does not match the manifest hash " + f.hash.ToHex());
    }
  });
  size_t bad = 0;
  for (size_t i = 0; i < exported.size(); ++i) {
    if (verified[i].ok()) continue;
    ++bad;
    PrintError("export: verifying " + exported[i]->path, verified[i]);
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::printf(
      "exported %zu of %zu files (%s) to %s in %.1f s; %zu verified against "
      "%s\n",
      exported.size(), listed.size(), FormatBytes(bytes).c_str(), root.c_str(),
      seconds, exported.size() - bad, kManifestName);
  if (failed.empty() && bad == 0) return kExitOk;
  PrintError(absl::StrFormat("export: %zu failed, %zu did not verify",
                             failed.size(), bad));
  return kExitFailed;
}

int Main(int argc, char** argv) {
  SetProgramName("drive");
  CLI::App app{
      "drive: store and fetch files on a Drive cluster.\n"
      "Settings come from DRIVE_COORDINATOR, DRIVE_ACCOUNT, DRIVE_TOKEN,\n"
      "DRIVE_REGION (optional) and DRIVE_GATEWAY (for share); the flags\n"
      "below override them.\n"
      "Exit codes: 0 ok, 1 failed, 2 usage or configuration error,\n"
      "3 not found."};
  app.require_subcommand(1);
  app.fallthrough();
  Args a;
  app.add_option("--coordinator", a.coordinator,
                 "Coordinator HOST:PORT ($DRIVE_COORDINATOR)");
  app.add_option("--account", a.account, "Account ($DRIVE_ACCOUNT)");
  app.add_option("--token", a.token, "Account token ($DRIVE_TOKEN)");
  app.add_option("--region", a.region,
                 "Region this client is in ($DRIVE_REGION)");

  CLI::App* put = AddPutCommand(app, a.put);
  CLI::App* get = app.add_subcommand("get", "Download a file, verified");
  get->footer(
      "LOCAL defaults to the file's name; a directory LOCAL gets the file's\n"
      "name inside. The download is checked against the file's hash before\n"
      "it is renamed into place.");
  get->add_option("remote", a.remote, "Remote path")->required();
  get->add_option("local", a.local, "Local path");
  CLI::App* ls =
      app.add_subcommand("ls", "List files: size, durability, modified, path");
  ls->add_option("prefix", a.prefix, "Path prefix (e.g. sessions/2026-11-28/)");
  ls->add_flag("--json", a.json, "Print a JSON array");
  ls->add_flag("-l,--long", a.long_format,
               "Also show version, content type and hash");
  CLI::App* stat = app.add_subcommand(
      "stat", "Show a file with its chunks and their replicas");
  stat->add_option("path", a.remote, "Remote path")->required();
  stat->add_flag("--json", a.json, "Print JSON");
  CLI::App* mv = app.add_subcommand("mv", "Rename a file");
  mv->add_option("paths", a.paths, "FROM TO")->required()->expected(2);
  mv->add_flag("--overwrite", a.overwrite,
               "Replace TO if it exists (the old TO goes to trash)");
  CLI::App* rm = app.add_subcommand("rm", "Move files to the trash");
  rm->add_option("paths", a.paths, "Remote paths")->required();
  CLI::App* restore =
      app.add_subcommand("restore", "Restore a file from the trash");
  restore
      ->add_option("id_or_path", a.remote,
                   "Trash id, or the original path (newest entry)")
      ->required();
  restore->add_option("--to", a.to, "Restore under this path instead");
  CLI::App* trash = app.add_subcommand("trash", "List the trash");
  trash->add_option("prefix", a.prefix, "Original path prefix");
  trash->add_flag("--json", a.json, "Print a JSON array");
  CLI::App* exp = app.add_subcommand(
      "export", "Download all files (under PREFIX) to DIR, verified");
  exp->footer(absl::StrCat(
      "Each file goes to DIR/<path>. DIR/", kManifestName,
      " lists account,\nexport time and every file's path, size, hash and "
      "durability. At the end\nevery local copy is re-read and checked "
      "against the manifest."));
  exp->add_option("paths", a.paths, "[PREFIX] DIR")->required()->expected(1, 2);
  exp->add_option("-j,--jobs", a.jobs, "Files downloaded in parallel")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));

  CLI::App* share = AddShareCommand(app, a.share);

  if (int rc = ParseArgs(app, argc, argv); rc >= 0) return rc;
  if (share->parsed()) {
    // Talks to the gateway only: no coordinator needed.
    auto account = Setting(a.account, "DRIVE_ACCOUNT", "--account", "account");
    auto token = Setting(a.token, "DRIVE_TOKEN", "--token", "account token");
    for (const auto* s : {&account, &token}) {
      if (!s->ok()) {
        PrintError(Std(s->status().message()));
        return kExitUsage;
      }
    }
    return RunShare(a.share, *account, *token);
  }
  auto options = ResolveOptions(a);
  if (!options.ok()) {
    PrintError(Std(options.status().message()));
    return kExitUsage;
  }
  ConnectFn connect = [&] { return DriveClient::Connect(*options); };
  if (put->parsed()) return RunPut(a.put, connect);
  auto client = connect();
  if (!client.ok())
    return Fail("connecting to " + options->coordinator, client.status());
  DriveClient& c = **client;
  if (get->parsed()) return RunGet(c, a);
  if (ls->parsed()) return RunLs(c, a);
  if (stat->parsed()) return RunStat(c, a);
  if (mv->parsed()) return RunMv(c, a);
  if (rm->parsed()) return RunRm(c, a);
  if (restore->parsed()) return RunRestore(c, a);
  if (trash->parsed()) return RunTrash(c, a);
  if (exp->parsed()) return RunExport(c, a);
  return kExitUsage;
}

}  // namespace
}  // namespace drive::cli

int main(int argc, char** argv) {
  drive::TuneAllocatorForLargeBuffers();
  return drive::cli::Main(argc, argv);
}
