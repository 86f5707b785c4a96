// drive-cluster-bench: uploads or downloads many files through the client
// library against a running cluster, with `--parallel` files in flight, and
// prints one JSON line: files, bytes, seconds, MiB/s, files/s and per-file
// p50/p99 latency. Content is pseudo-random and unique per 4 MiB chunk (a
// header with run, file and chunk number), so nothing deduplicates.
// `--latencies-file` also writes each file's latency (ms, one per line), so
// a script can pool percentiles over several runs.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "common/allocator.h"
#include "drive/client.h"
#include "nlohmann/json.hpp"

namespace {

struct Flags {
  std::string coordinator, token, account, region = "west";
  std::string op = "put";
  std::string prefix = "bench/";
  std::string latencies_file;
  int files = 100;
  uint64_t min_size = 4 << 20, max_size = 8 << 20;
  int parallel = 8;
  uint64_t seed = 1;
};

// Size of file i: spread evenly over [min, max], deterministic per seed.
uint64_t SizeOf(const Flags& f, int i) {
  if (f.max_size <= f.min_size) return f.min_size;
  uint64_t x = (static_cast<uint64_t>(i) + 1) * 0x9E3779B97F4A7C15ull ^ f.seed;
  return f.min_size + x % (f.max_size - f.min_size + 1);
}

std::string RandomPool(size_t n, uint64_t seed) {
  std::string out(n, '\0');
  uint64_t x = seed | 1;
  for (size_t i = 0; i + 8 <= n; i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    std::memcpy(&out[i], &x, 8);
  }
  return out;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t k = static_cast<size_t>(p * (v.size() - 1) + 0.5);
  return v[std::min(k, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  drive::TuneAllocatorForLargeBuffers();
  Flags f;
  CLI::App app{"drive-cluster-bench: files through a Drive cluster"};
  app.add_option("--coordinator", f.coordinator)
      ->envname("DRIVE_COORDINATOR")
      ->required();
  app.add_option("--token", f.token)->envname("DRIVE_TOKEN")->required();
  app.add_option("--account", f.account)->envname("DRIVE_ACCOUNT")->required();
  app.add_option("--region", f.region);
  app.add_option("--op", f.op)->check(CLI::IsMember({"put", "get"}));
  app.add_option("--prefix", f.prefix);
  app.add_option("--files", f.files)->check(CLI::Range(1, 1000000));
  app.add_option("--min-size", f.min_size);
  app.add_option("--max-size", f.max_size);
  app.add_option("--parallel", f.parallel)->check(CLI::Range(1, 256));
  app.add_option("--seed", f.seed, "Distinguishes the content of runs");
  app.add_option("--latencies-file", f.latencies_file,
                 "Also write each file's latency in ms here, one per line");
  CLI11_PARSE(app, argc, argv);

  drive::client::ClientOptions o;
  o.coordinator = f.coordinator;
  o.token = f.token;
  o.account = f.account;
  o.region = f.region;
  auto client = drive::client::DriveClient::Connect(o);
  if (!client.ok()) {
    std::fprintf(stderr, "connect: %s\n", client.status().ToString().c_str());
    return 1;
  }
  const std::string pool = RandomPool(16 << 20, f.seed * 7919 + 1);

  std::atomic<int> next{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<int> failures{0};
  std::mutex mu;
  std::vector<double> latencies_ms;
  auto start = std::chrono::steady_clock::now();
  auto worker = [&] {
    for (int i = next++; i < f.files; i = next++) {
      std::string path = f.prefix + "f" + std::to_string(i);
      uint64_t size = SizeOf(f, i);
      auto t0 = std::chrono::steady_clock::now();
      absl::Status s;
      if (f.op == "put") {
        uint64_t pos = 0;
        auto read = [&](char* buf, size_t max) -> absl::StatusOr<size_t> {
          size_t n = static_cast<size_t>(std::min<uint64_t>(max, size - pos));
          for (size_t done = 0; done < n;) {
            uint64_t at = pos + done;
            size_t from = static_cast<size_t>((at * 31 + i * 4099) %
                                              (pool.size() - 4096));
            size_t take = std::min(n - done, pool.size() - from);
            take = std::min<size_t>(
                take, drive::kMaxChunkBytes - at % drive::kMaxChunkBytes);
            std::memcpy(buf + done, pool.data() + from, take);
            if (at % drive::kMaxChunkBytes == 0 && take >= 24) {
              uint64_t tag[3] = {f.seed, static_cast<uint64_t>(i), at};
              std::memcpy(buf + done, tag, sizeof(tag));
            }
            done += take;
          }
          pos += n;
          return n;
        };
        auto prepared =
            (*client)->UploadStream(read, path, "application/octet-stream", 0);
        s = prepared.status();
        if (s.ok()) s = (*client)->Commit({*prepared}).status();
      } else {
        s = (*client)->Read(path, 0, 0,
                            [](std::string_view) { return absl::OkStatus(); });
      }
      double ms = std::chrono::duration<double, std::milli>(
                      std::chrono::steady_clock::now() - t0)
                      .count();
      if (!s.ok()) {
        ++failures;
        std::fprintf(stderr, "%s %s: %s\n", f.op.c_str(), path.c_str(),
                     s.ToString().c_str());
        continue;
      }
      bytes += size;
      std::lock_guard<std::mutex> lock(mu);
      latencies_ms.push_back(ms);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < f.parallel; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();

  if (!f.latencies_file.empty()) {
    std::ofstream lat(f.latencies_file);
    for (double ms : latencies_ms) lat << ms << "\n";
    if (!lat) {
      std::fprintf(stderr, "cannot write %s\n", f.latencies_file.c_str());
      return 1;
    }
  }
  nlohmann::json out = {{"op", f.op},
                        {"files", static_cast<int>(latencies_ms.size())},
                        {"failures", failures.load()},
                        {"bytes", bytes.load()},
                        {"seconds", seconds},
                        {"MiB_per_s", bytes.load() / 1048576.0 / seconds},
                        {"files_per_s", latencies_ms.size() / seconds},
                        {"p50_ms", Percentile(latencies_ms, 0.5)},
                        {"p99_ms", Percentile(latencies_ms, 0.99)}};
  std::printf("%s\n", out.dump().c_str());
  return failures.load() == 0 ? 0 : 1;
}
