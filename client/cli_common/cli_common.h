#pragma once

// Helpers shared by the `drive` and `drive-admin` mains: settings from flags
// and the environment, exit codes, error printing, JSON and time rendering,
// a worker pool and a progress bar. Nothing here talks to the cluster.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "drive/client.h"
#include "nlohmann/json.hpp"

namespace drive::cli {

// Process exit codes of both tools.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the operation failed (or, for
                                       // drive-admin, the cluster is at risk)
inline constexpr int kExitUsage = 2;  // bad flags, missing settings, bad config
inline constexpr int kExitNotFound =
    3;  // the named file or trash entry is absent

// The program name used in error messages ("drive" or "drive-admin").
void SetProgramName(std::string name);

// Prints "<program>: <what>: <status message>" to stderr.
void PrintError(std::string_view what, const absl::Status& s);
// Prints "<program>: <message>" to stderr.
void PrintError(std::string_view message);

// The exit code for a failed operation: kNotFound -> 3; bad arguments and
// credentials (kInvalidArgument, kUnauthenticated, kPermissionDenied) -> 2;
// everything else -> 1.
int ExitCodeFor(const absl::Status& s);

// PrintError(what, s) and returns ExitCodeFor(s).
int Fail(std::string_view what, const absl::Status& s);

// Parses argv with CLI11; on --help returns kExitOk, on a parse error prints
// it and returns kExitUsage; returns -1 when parsing succeeded.
int ParseArgs(CLI::App& app, int argc, char** argv);

// `flag` if set, else the environment variable `env`. kInvalidArgument naming
// both when neither is set and `required`.
absl::StatusOr<std::string> Setting(const std::string& flag, const char* env,
                                    const char* flag_name, const char* what,
                                    bool required = true);

// Remote paths and prefixes: a leading '/' is accepted and dropped.
std::string NormalizeRemote(std::string_view path);

// "2026-11-28 14:03:05" in local time; "-" for 0.
std::string FormatTimeMs(int64_t unix_ms);
// "3.2 s", "4m05s", "1h02m".
std::string FormatSeconds(double seconds);
// Bytes as MiB with one decimal ("12.5"), for summaries and rates.
std::string Mib(double bytes);

// A file as JSON: path, size, content_type, mtime_ms, committed_ms, hash
// (32 hex), version, durability; with `chunks`, also the chunk table with
// every replica's drive, node, region and state.
nlohmann::ordered_json FileJson(const client::FileInfo& f, bool chunks);

// Runs fn(0..n-1) on min(jobs, n) threads; returns when all are done.
void ParallelFor(size_t n, int jobs, const std::function<void(size_t)>& fn);

// A one-line progress bar on stderr: files done/total, bytes, MiB/s and ETA,
// redrawn from its own thread at most 10 times a second. Inert when stderr
// is not a terminal. Thread-safe.
class ProgressBar {
 public:
  ProgressBar(std::string verb, uint64_t total_files, uint64_t total_bytes);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  bool active() const { return active_; }
  void AddBytes(uint64_t n) { bytes_ += n; }
  void FileDone() { files_ += 1; }
  // Prints a line to stderr above the bar (the bar is redrawn below it).
  void Message(const std::string& line);
  // Stops redrawing and erases the bar. Idempotent.
  void Finish();

 private:
  void Loop();
  void Draw() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string verb_;
  const uint64_t total_files_;
  const uint64_t total_bytes_;
  const bool active_;
  const std::chrono::steady_clock::time_point start_;
  std::atomic<uint64_t> files_{0};
  std::atomic<uint64_t> bytes_{0};
  // Serializes writes to stderr, so messages and redraws do not interleave.
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool drawn_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace drive::cli
