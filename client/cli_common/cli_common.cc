#include "client/cli_common/cli_common.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/strings.h"
#include "common/units.h"

namespace drive::cli {
namespace {

std::string& ProgramName() {
  static std::string* name = new std::string("drive");
  return *name;
}

int TerminalColumns() {
  struct winsize ws {};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
    return ws.ws_col;
  return 80;
}

}  // namespace

void SetProgramName(std::string name) { ProgramName() = std::move(name); }

void PrintError(std::string_view what, const absl::Status& s) {
  std::string msg(Std(s.message()));
  if (msg.empty()) msg = s.ToString();
  std::fprintf(stderr, "%s: %.*s: %s\n", ProgramName().c_str(),
               static_cast<int>(what.size()), what.data(), msg.c_str());
}

void PrintError(std::string_view message) {
  std::fprintf(stderr, "%s: %.*s\n", ProgramName().c_str(),
               static_cast<int>(message.size()), message.data());
}

int ExitCodeFor(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kNotFound:
      return kExitNotFound;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return kExitUsage;
    default:
      return kExitFailed;
  }
}

int Fail(std::string_view what, const absl::Status& s) {
  PrintError(what, s);
  return ExitCodeFor(s);
}

int ParseArgs(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help and version requests are "errors" with exit code 0.
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  return -1;
}

absl::StatusOr<std::string> Setting(const std::string& flag, const char* env,
                                    const char* flag_name, const char* what,
                                    bool required) {
  if (!flag.empty()) return flag;
  if (const char* v = std::getenv(env); v != nullptr && *v != '\0')
    return std::string(v);
  if (!required) return std::string();
  return absl::InvalidArgumentError(
      absl::StrCat("no ", what, ": set ", env, " or pass ", flag_name));
}

std::string NormalizeRemote(std::string_view path) {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return std::string(path);
}

std::string FormatTimeMs(int64_t unix_ms) {
  if (unix_ms == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixMillis(unix_ms),
                          absl::LocalTimeZone());
}

std::string FormatSeconds(double seconds) {
  if (seconds < 60) return absl::StrFormat("%.1f s", seconds);
  auto s = static_cast<int64_t>(seconds + 0.5);
  if (s < 3600) return absl::StrFormat("%dm%02ds", s / 60, s % 60);
  return absl::StrFormat("%dh%02dm", s / 3600, (s % 3600) / 60);
}

std::string Mib(double bytes) {
  return absl::StrFormat("%.1f", bytes / (1024.0 * 1024.0));
}

nlohmann::ordered_json FileJson(const client::FileInfo& f, bool chunks) {
  nlohmann::ordered_json j = {
      {"path", f.path},         {"size", f.size},
      {"hash", f.hash.ToHex()}, {"durability", f.durability},
      {"version", f.version},   {"content_type", f.content_type},
      {"mtime_ms", f.mtime_ms}, {"committed_ms", f.committed_ms},
  };
  if (chunks) {
    auto& list = j["chunks"] = nlohmann::ordered_json::array();
    for (const auto& c : f.chunks) {
      auto replicas = nlohmann::ordered_json::array();
      for (const auto& r : c.replicas) {
        replicas.push_back({{"drive", r.drive},
                            {"node", r.node},
                            {"region", r.region},
                            {"state", r.state}});
      }
      list.push_back(
          {{"id", c.id.ToHex()}, {"size", c.size}, {"replicas", replicas}});
    }
  }
  return j;
}

void ParallelFor(size_t n, int jobs, const std::function<void(size_t)>& fn) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  size_t threads = std::min<size_t>(n, static_cast<size_t>(std::max(1, jobs)));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

ProgressBar::ProgressBar(std::string verb, uint64_t total_files,
                         uint64_t total_bytes)
    : verb_(std::move(verb)),
      total_files_(total_files),
      total_bytes_(total_bytes),
      active_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {
  if (active_) thread_ = std::thread([this] { Loop(); });
}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Loop() {
  absl::MutexLock lock(&mu_);
  while (!stop_) {
    // Wakes at once on Finish(), else every 100 ms: at most 10 redraws/s.
    mu_.AwaitWithTimeout(absl::Condition(&stop_), absl::Milliseconds(100));
    if (!stop_) Draw();
  }
}

void ProgressBar::Draw() {
  double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
          .count();
  uint64_t bytes = bytes_.load();
  double rate = elapsed > 0 ? bytes / elapsed : 0;
  std::string eta = "--";
  if (rate > 0 && total_bytes_ >= bytes)
    eta = FormatSeconds((total_bytes_ - bytes) / rate);
  std::string text = absl::StrCat(
      files_.load(), "/", total_files_, " files  ", FormatBytes(bytes), " / ",
      FormatBytes(total_bytes_), "  ", Mib(rate), " MiB/s  ETA ", eta);
  // Sized for a typical text length, so the bar does not jump as it changes.
  int width = std::clamp<int>(
      TerminalColumns() - static_cast<int>(verb_.size()) - 72, 0, 30);
  std::string bar;
  if (width >= 5) {
    double frac =
        total_bytes_ == 0 ? 1.0 : std::min(1.0, double(bytes) / total_bytes_);
    int filled = static_cast<int>(frac * width);
    bar = absl::StrCat("[", std::string(filled, '#'),
                       std::string(width - filled, '-'), "] ");
  }
  std::fprintf(stderr, "\r%s %s%s\x1b[K", verb_.c_str(), bar.c_str(),
               text.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::Message(const std::string& line) {
  absl::MutexLock lock(&mu_);
  if (drawn_) std::fputs("\r\x1b[K", stderr);
  drawn_ = false;
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

void ProgressBar::Finish() {
  {
    absl::MutexLock lock(&mu_);
    if (stop_) return;
    stop_ = true;
    if (drawn_) {
      std::fputs("\r\x1b[K", stderr);
      std::fflush(stderr);
      drawn_ = false;
    }
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace drive::cli
