// `drive put`. Outline:
//   1. expand the local arguments into (local file, remote path) pairs:
//      directories recursively, symlinks to files followed, symlinks to
//      directories skipped; bad remote names and clashes are per-file failures;
//   2. upload on -j worker threads sharing one client; the library skips
//      chunks the cluster already holds, so a re-run resumes cheaply;
//   3. commit each file right after its upload, or with --atomic commit all
//      files in one request once every upload succeeded (else commit nothing);
//   4. report a summary (or JSON) and exit 1 if any file failed.

#include "client/cli/put_command.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "client/cli_common/cli_common.h"
#include "common/file_path.h"
#include "common/strings.h"
#include "nlohmann/json.hpp"

namespace drive::cli {
namespace {

namespace fs = std::filesystem;

struct LocalFile {
  std::string local;
  std::string remote;
  uint64_t size = 0;
};

struct Failure {
  std::string local;
  std::string remote;
  absl::Status status;
};

std::string Join(const std::string& base, const std::string& name) {
  if (base.empty() || name.empty()) return base + name;
  return base + "/" + name;
}

// The name a directory argument keeps under REMOTE ("" for its contents).
// A trailing slash means the contents, as in rsync and rclone: DIR/ is
// DIR/., while DIR keeps its name.
std::string DirName(const std::string& arg) {
  if (arg == "." || arg.ends_with("/.") || arg.ends_with("/")) return "";
  fs::path p = fs::path(arg).lexically_normal();
  std::string name = p.has_filename() ? p.filename().string()
                                      : p.parent_path().filename().string();
  if (name.empty() || name == "..") {
    std::error_code ec;
    fs::path abs = fs::absolute(arg, ec).lexically_normal();
    name = abs.has_filename() ? abs.filename().string()
                              : abs.parent_path().filename().string();
  }
  return name == ".." ? "" : name;
}

// Step 1 for one directory argument.
void Walk(const std::string& dir, const std::string& base,
          std::vector<LocalFile>* files, std::vector<Failure>* failures) {
  std::error_code ec;
  fs::recursive_directory_iterator it(
      dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    failures->push_back({dir, "", absl::PermissionDeniedError(ec.message())});
    return;
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      failures->push_back({dir, "", absl::InternalError(ec.message())});
      break;
    }
    const fs::directory_entry& e = *it;
    std::error_code sec;
    // Follows symlinks: a link to a file uploads the file; the iterator
    // itself never descends into a linked directory.
    if (!e.is_regular_file(sec)) continue;
    std::string rel = e.path().lexically_relative(dir).generic_string();
    files->push_back({e.path().lexically_normal().string(), Join(base, rel),
                      e.file_size(sec)});
  }
}

void Gather(const std::vector<std::string>& locals,
            const std::string& remote_arg, std::vector<LocalFile>* files,
            std::vector<Failure>* failures) {
  std::string remote = NormalizeRemote(remote_arg);
  bool into_dir = remote.empty() || remote.back() == '/';
  while (!remote.empty() && remote.back() == '/') remote.pop_back();
  for (const std::string& arg : locals) {
    std::error_code ec;
    fs::file_status st = fs::status(arg, ec);
    if (ec || !fs::exists(st)) {
      failures->push_back(
          {arg, "", absl::NotFoundError("no such file or directory")});
    } else if (fs::is_directory(st)) {
      Walk(arg, Join(remote, DirName(arg)), files, failures);
    } else if (!fs::is_regular_file(st)) {
      failures->push_back(
          {arg, "", absl::InvalidArgumentError("not a regular file")});
    } else {
      bool exact = locals.size() == 1 && !into_dir;
      std::string target =
          exact ? remote : Join(remote, fs::path(arg).filename().string());
      files->push_back({arg, target, fs::file_size(arg, ec)});
    }
  }
  // Bad names and two files aimed at one path fail on their own, up front,
  // so an atomic commit never carries them.
  std::sort(files->begin(), files->end(),
            [](const LocalFile& a, const LocalFile& b) {
              return a.remote < b.remote;
            });
  std::vector<LocalFile> ok;
  for (size_t i = 0; i < files->size(); ++i) {
    const LocalFile& f = (*files)[i];
    absl::Status valid = ValidateFilePath(f.remote);
    bool clash = (i > 0 && (*files)[i - 1].remote == f.remote) ||
                 (i + 1 < files->size() && (*files)[i + 1].remote == f.remote);
    if (!valid.ok()) {
      failures->push_back({f.local, f.remote, valid});
    } else if (clash) {
      failures->push_back(
          {f.local, f.remote,
           absl::AlreadyExistsError("another local file maps to this path")});
    } else {
      ok.push_back(f);
    }
  }
  *files = std::move(ok);
}

// Bytes of the file's chunks that were already stored. The library counts
// skipped chunks, not their bytes; every chunk but the last is full-size.
uint64_t SkippedBytes(const client::PreparedFile& p) {
  if (p.chunks_skipped == 0) return 0;
  if (p.chunks_skipped >= p.info.chunks.size()) return p.info.size;
  return std::min(p.info.size, p.chunks_skipped * uint64_t{kMaxChunkBytes});
}

std::string Describe(const Failure& f) {
  std::string what = f.local;
  if (!f.remote.empty()) absl::StrAppend(&what, " -> ", f.remote);
  return what;
}

}  // namespace

CLI::App* AddPutCommand(CLI::App& app, PutOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "put", "Upload files or directories (parallel, resumable)");
  cmd->footer(
      "One LOCAL file and a REMOTE without a trailing '/' names the file;\n"
      "otherwise everything goes under REMOTE/ (\"\" or / is the root).\n"
      "A directory keeps its name (DIR/x -> REMOTE/DIR/x); DIR/ and DIR/.\n"
      "upload its contents (DIR/x -> REMOTE/x), as rsync and rclone do.\n"
      "Symlinks to files are followed, to directories skipped.\n"
      "Re-running resumes: chunks already stored are not sent again.");
  cmd->add_option("paths", o.paths, "LOCAL... REMOTE")
      ->required()
      ->expected(2, 1 << 30);
  cmd->add_option("-j,--jobs", o.jobs, "Files uploaded in parallel")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd->add_flag(
      "--atomic", o.atomic,
      "Commit all files in one step once all are uploaded (all or nothing)");
  cmd->add_flag("--json", o.json, "Print the result as JSON");
  return cmd;
}

int RunPut(const PutOptions& o, const ConnectFn& connect) {
  if (o.paths.size() < 2) {
    PrintError("put: need at least one LOCAL path and a REMOTE path");
    return kExitUsage;
  }
  std::vector<std::string> locals(o.paths.begin(), o.paths.end() - 1);
  std::vector<LocalFile> files;
  std::vector<Failure> failures;
  Gather(locals, o.paths.back(), &files, &failures);
  for (const Failure& f : failures)
    PrintError(absl::StrCat("put ", Describe(f)), f.status);
  if (o.atomic && !failures.empty()) {
    PrintError("put: nothing uploaded: --atomic needs every file to be valid");
    return kExitFailed;
  }

  auto client = connect();
  if (!client.ok()) return Fail("connecting", client.status());

  auto start = std::chrono::steady_clock::now();
  uint64_t total_bytes = 0;
  for (const auto& f : files) total_bytes += f.size;
  ProgressBar bar("put", files.size(), total_bytes);
  std::vector<absl::StatusOr<client::PreparedFile>> prepared(
      files.size(), absl::UnknownError("not run"));
  std::vector<client::FileInfo> committed(files.size());
  std::vector<absl::Status> commit_status(files.size());
  ParallelFor(files.size(), o.jobs, [&](size_t i) {
    const LocalFile& f = files[i];
    auto progress = [&](uint64_t n) { bar.AddBytes(n); };
    absl::Status s;
    if (o.atomic) {
      prepared[i] = (*client)->Upload(f.local, f.remote, "", progress);
      s = prepared[i].status();
    } else {
      // PutFile also retries the rare commit refused by garbage collection.
      client::PreparedFile p;
      auto c = (*client)->PutFile(f.local, f.remote, progress, &p);
      prepared[i] = p;
      if (c.ok()) committed[i] = *c;
      s = c.status();
      commit_status[i] = s;
    }
    if (!s.ok()) {
      std::string msg(Std(s.message()));
      bar.Message(
          absl::StrCat("drive: put ", f.local, " -> ", f.remote, ": ", msg));
    }
    bar.FileDone();
  });

  for (size_t i = 0; i < files.size(); ++i) {
    absl::Status s = prepared[i].ok() ? commit_status[i] : prepared[i].status();
    if (!s.ok()) failures.push_back({files[i].local, files[i].remote, s});
  }
  if (o.atomic) {
    if (!failures.empty()) {
      bar.Finish();
      PrintError(absl::StrCat("put: nothing committed: ", failures.size(),
                              " of ", files.size(),
                              " uploads failed (re-run to resume)"));
      return kExitFailed;
    }
    std::vector<client::PreparedFile> all;
    for (auto& p : prepared) all.push_back(*p);
    absl::StatusOr<std::vector<client::FileInfo>> c =
        std::vector<client::FileInfo>();
    if (!all.empty()) c = (*client)->Commit(all);
    bar.Finish();
    if (!c.ok()) {
      PrintError(absl::StrCat("put: committing ", files.size(), " files"),
                 c.status());
      return kExitFailed;
    }
    // The coordinator answers in request order; match by path to be safe.
    std::map<std::string, client::FileInfo> by_path;
    for (auto& f : *c) by_path[f.path] = f;
    for (size_t i = 0; i < files.size(); ++i)
      committed[i] = by_path[files[i].remote];
  }
  bar.Finish();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();

  uint64_t bytes = 0, sent = 0, skipped = 0, done = 0;
  nlohmann::ordered_json jfiles = nlohmann::ordered_json::array();
  for (size_t i = 0; i < files.size(); ++i) {
    if (!prepared[i].ok() || !commit_status[i].ok()) continue;
    ++done;
    bytes += prepared[i]->info.size;
    sent += prepared[i]->bytes_sent;
    skipped += SkippedBytes(*prepared[i]);
    const client::FileInfo& f = committed[i];
    jfiles.push_back({{"path", f.path},
                      {"size", f.size},
                      {"hash", f.hash.ToHex()},
                      {"durability", f.durability},
                      {"version", f.version}});
  }
  if (o.json) {
    nlohmann::ordered_json failed = nlohmann::ordered_json::array();
    for (const Failure& f : failures) {
      failed.push_back({{"local", f.local},
                        {"path", f.remote},
                        {"error", std::string(Std(f.status.message()))}});
    }
    nlohmann::ordered_json out = {
        {"files", jfiles},          {"bytes", bytes},     {"bytes_sent", sent},
        {"bytes_skipped", skipped}, {"seconds", seconds}, {"failed", failed}};
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    std::printf(
        "uploaded %llu files (%s MiB, %s MiB sent, %s MiB already stored) in "
        "%.1f s, %s MiB/s\n",
        static_cast<unsigned long long>(done), Mib(bytes).c_str(),
        Mib(sent).c_str(), Mib(skipped).c_str(), seconds,
        Mib(seconds > 0 ? bytes / seconds : 0).c_str());
  }
  if (!failures.empty()) {
    PrintError(absl::StrCat("put: ", failures.size(), " file(s) failed"));
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace drive::cli
