// drive-bench: drives one storage node's PutChunk / GetChunk with N parallel
// streams and prints one JSON line with throughput and latency.
//
//   put: writes distinct chunks cut from a pre-generated pool of random
//        buffers and (with --ids-file) records their ids and lengths.
//   get: reads back the chunks listed in --ids-file by an earlier put.
//
// Each stream is a thread with its own NodeClient on its own TCP connection,
// so streams do not serialize on one HTTP/2 connection. Latency is measured
// per operation; for put it includes hashing the chunk, which every real
// client must do to name the chunk.

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <latch>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/allocator.h"
#include "common/chunk_id.h"
#include "common/status_macros.h"
#include "common/units.h"
#include "drive/node_client.h"
#include "nlohmann/json.hpp"

namespace drive::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Random bytes generated per stream before the clock starts. Large enough
// that hashing and sending read from DRAM, as a real upload does, rather
// than from a cache-resident buffer. Default pool: 64 MiB over all streams.
constexpr uint64_t kPoolTargetBytes = 64ull << 20;
constexpr size_t kMinPoolBuffers = 2;
// Bytes overwritten at the start of each pooled buffer to make every chunk
// of a run distinct: run nonce (8), stream (4), sequence number (4).
constexpr size_t kTagBytes = 16;

struct BenchConfig {
  std::string address;
  std::string token_file;
  std::string drive = "d0";
  std::string account = "bench";
  std::string op;
  uint64_t chunk_size = 4ull << 20;
  int streams = 1;
  std::optional<uint64_t> total_bytes;  // nullopt: no byte budget
  double seconds = 0;                   // <= 0: no deadline
  std::string ids_file;
  uint64_t seed = 0;  // 0: a random seed
  bool verify = false;
  double timeout_s = 120;
};

struct ChunkRef {
  ChunkId id;
  uint64_t length = 0;
};

// What one stream did; merged after all streams have finished.
struct StreamResult {
  std::vector<double> latencies_ms;
  uint64_t bytes = 0;
  std::vector<ChunkRef> written;  // put only
};

absl::StatusOr<std::string> ReadToken(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read token file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string token = ss.str();
  // Same rule as the node: a trailing newline is not part of the token.
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) {
    token.pop_back();
  }
  return token;
}

// One "HEX LENGTH" line per chunk.
absl::StatusOr<std::vector<ChunkRef>> ReadIdsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("cannot read ids file " + path);
  std::vector<ChunkRef> refs;
  std::string hex;
  uint64_t length = 0;
  while (in >> hex >> length) {
    DRIVE_ASSIGN_OR_RETURN(ChunkId id, ChunkId::FromHex(hex));
    refs.push_back({id, length});
  }
  if (!in.eof()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ids file ", path, " is malformed after ", refs.size(), " entries"));
  }
  if (refs.empty()) {
    return absl::InvalidArgumentError("ids file " + path + " lists no chunks");
  }
  return refs;
}

absl::Status WriteIdsFile(const std::string& path,
                          const std::vector<ChunkRef>& refs) {
  // Written to a temporary name first so a failed run never leaves a
  // truncated list for the next get run.
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const auto& r : refs) out << r.id.ToHex() << ' ' << r.length << '\n';
    out.flush();
    if (!out) return absl::UnavailableError("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError("cannot rename " + tmp + " to " + path);
  }
  return absl::OkStatus();
}

// Nearest-rank percentile of sorted values; 0 when there are none.
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p * sorted.size()));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

// Hands out operation numbers to the streams until the byte budget or the
// deadline is reached (whichever comes first), or a stream fails.
// Thread-safe.
class Schedule {
 public:
  // `max_ops` nullopt: no budget; `seconds` <= 0: no deadline.
  Schedule(std::optional<uint64_t> max_ops, double seconds)
      : max_ops_(max_ops), seconds_(seconds) {}

  void Start() { deadline_ = Clock::now() + ToDuration(seconds_); }

  // The next operation number, or nullopt when the run is over.
  std::optional<uint64_t> Next() {
    if (failed_.load(std::memory_order_relaxed)) return std::nullopt;
    if (seconds_ > 0 && Clock::now() >= deadline_) return std::nullopt;
    uint64_t op = next_.fetch_add(1, std::memory_order_relaxed);
    if (max_ops_ && op >= *max_ops_) return std::nullopt;
    return op;
  }

  // Records the first error and stops every stream.
  void Fail(const absl::Status& s) {
    absl::MutexLock lock(&mu_);
    if (error_.ok()) error_ = s;
    failed_ = true;
  }

  absl::Status error() const {
    absl::MutexLock lock(&mu_);
    return error_;
  }

 private:
  static Clock::duration ToDuration(double seconds) {
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(seconds));
  }

  const std::optional<uint64_t> max_ops_;
  const double seconds_;
  Clock::time_point deadline_;
  std::atomic<uint64_t> next_{0};
  std::atomic<bool> failed_{false};
  mutable absl::Mutex mu_;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
};

// Lets the main thread start the clock only once every stream is ready,
// and release them all together after that.
class StartGate {
 public:
  explicit StartGate(int streams) : ready_(streams) {}
  // Called by each stream: "ready", then blocks until Open().
  void ArriveAndWait() {
    ready_.count_down();
    go_.wait();
  }
  void WaitForAll() { ready_.wait(); }
  void Open() { go_.count_down(); }

 private:
  std::latch ready_;
  std::latch go_{1};
};

// User + system CPU of this process so far, seconds.
double ProcessCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto secs = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

double MillisSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

client::NodeClient MakeClient(const BenchConfig& config,
                              const std::string& token) {
  client::NodeClientOptions o;
  o.address = config.address;
  o.cluster_token = token;
  o.timeout = absl::Seconds(config.timeout_s);
  o.own_connection = true;
  return client::NodeClient(std::move(o));
}

// Writes distinct chunks until the schedule ends.
void PutStream(const BenchConfig& config, const std::string& token,
               uint32_t stream, uint64_t nonce, Schedule* schedule,
               StartGate* gate, StreamResult* result) {
  client::NodeClient client = MakeClient(config, token);
  // Connect before the clock starts so the run measures transfers, not the
  // TCP and HTTP/2 handshake.
  absl::Status warm = client.NodeStats().status();
  uint64_t per_stream = kPoolTargetBytes / config.streams;
  size_t buffers =
      std::max<size_t>(kMinPoolBuffers, (per_stream + config.chunk_size - 1) /
                                            config.chunk_size);
  std::vector<std::string> pool(buffers, std::string(config.chunk_size, '\0'));
  std::mt19937_64 rng(config.seed * 1000003 + stream);
  for (auto& buf : pool) {
    for (size_t i = 0; i + 8 <= buf.size(); i += 8) {
      uint64_t word = rng();
      std::memcpy(buf.data() + i, &word, 8);
    }
  }
  gate->ArriveAndWait();
  if (!warm.ok()) {
    schedule->Fail(warm);
    return;
  }

  uint32_t sequence = 0;
  while (auto op = schedule->Next()) {
    std::string& buf = pool[sequence % pool.size()];
    if (buf.size() >= kTagBytes) {
      std::memcpy(buf.data(), &nonce, 8);
      std::memcpy(buf.data() + 8, &stream, 4);
      std::memcpy(buf.data() + 12, &sequence, 4);
    }
    ++sequence;
    Clock::time_point t0 = Clock::now();
    ChunkId id = ChunkId::Of(buf);
    auto put = client.PutChunk(config.drive, config.account, id, buf);
    if (!put.ok()) {
      schedule->Fail(put.status());
      return;
    }
    if (put->already_present) {
      // A repeated chunk would measure the dedup path, not a write.
      schedule->Fail(absl::InternalError(
          "chunk " + id.ToHex() + " was already present; not a fresh write"));
      return;
    }
    result->latencies_ms.push_back(MillisSince(t0));
    result->bytes += buf.size();
    result->written.push_back({id, buf.size()});
  }
}

// Reads chunks of `refs` (cycling) until the schedule ends.
void GetStream(const BenchConfig& config, const std::string& token,
               const std::vector<ChunkRef>& refs, Schedule* schedule,
               StartGate* gate, StreamResult* result) {
  client::NodeClient client = MakeClient(config, token);
  absl::Status warm = client.NodeStats().status();
  gate->ArriveAndWait();
  if (!warm.ok()) {
    schedule->Fail(warm);
    return;
  }
  while (auto op = schedule->Next()) {
    const ChunkRef& ref = refs[*op % refs.size()];
    Clock::time_point t0 = Clock::now();
    auto data = client.GetChunk(config.drive, config.account, ref.id);
    if (!data.ok()) {
      schedule->Fail(data.status());
      return;
    }
    if (data->size() != ref.length ||
        (config.verify && ChunkId::Of(*data) != ref.id)) {
      schedule->Fail(absl::DataLossError(
          absl::StrCat("chunk ", ref.id.ToHex(), " came back wrong (",
                       data->size(), " bytes, expected ", ref.length, ")")));
      return;
    }
    result->latencies_ms.push_back(MillisSince(t0));
    result->bytes += data->size();
  }
}

absl::StatusOr<nlohmann::ordered_json> RunBench(const BenchConfig& config) {
  DRIVE_ASSIGN_OR_RETURN(std::string token, ReadToken(config.token_file));
  std::vector<ChunkRef> refs;
  uint64_t chunk_size = config.chunk_size;
  if (config.op == "get") {
    DRIVE_ASSIGN_OR_RETURN(refs, ReadIdsFile(config.ids_file));
    chunk_size = refs.front().length;  // put runs write one size
  }
  // Without a byte budget or deadline, get reads every listed chunk once.
  std::optional<uint64_t> max_ops;
  if (config.total_bytes) {
    max_ops = std::max<uint64_t>(1, (*config.total_bytes + chunk_size - 1) /
                                        std::max<uint64_t>(chunk_size, 1));
  } else if (config.seconds <= 0) {
    max_ops = refs.size();
  }

  uint64_t nonce = std::random_device{}();
  nonce = (nonce << 32) ^ std::random_device{}();
  Schedule schedule(max_ops, config.seconds);
  std::vector<StreamResult> results(config.streams);
  StartGate gate(config.streams);
  std::vector<std::thread> threads;
  for (int s = 0; s < config.streams; ++s) {
    if (config.op == "put") {
      threads.emplace_back(PutStream, std::cref(config), std::cref(token),
                           static_cast<uint32_t>(s), nonce, &schedule, &gate,
                           &results[s]);
    } else {
      threads.emplace_back(GetStream, std::cref(config), std::cref(token),
                           std::cref(refs), &schedule, &gate, &results[s]);
    }
  }
  // The clock starts once every stream is connected and has its buffers.
  gate.WaitForAll();
  schedule.Start();
  Clock::time_point start = Clock::now();
  double cpu_start = ProcessCpuSeconds();
  gate.Open();
  for (auto& t : threads) t.join();
  double seconds = MillisSince(start) / 1000.0;
  double client_cpu_s = ProcessCpuSeconds() - cpu_start;
  DRIVE_RETURN_IF_ERROR(schedule.error());

  std::vector<double> latencies;
  std::vector<ChunkRef> written;
  uint64_t bytes = 0;
  for (auto& r : results) {
    latencies.insert(latencies.end(), r.latencies_ms.begin(),
                     r.latencies_ms.end());
    written.insert(written.end(), r.written.begin(), r.written.end());
    bytes += r.bytes;
  }
  if (config.op == "put" && !config.ids_file.empty()) {
    DRIVE_RETURN_IF_ERROR(WriteIdsFile(config.ids_file, written));
  }
  std::sort(latencies.begin(), latencies.end());
  double mib = static_cast<double>(bytes) / (1 << 20);
  nlohmann::ordered_json j;
  j["op"] = config.op;
  j["chunk_size"] = chunk_size;
  j["streams"] = config.streams;
  j["ops"] = latencies.size();
  j["bytes"] = bytes;
  j["seconds"] = seconds;
  j["MiB_per_s"] = seconds > 0 ? mib / seconds : 0;
  j["ops_per_s"] = seconds > 0 ? latencies.size() / seconds : 0;
  j["p50_ms"] = Percentile(latencies, 0.50);
  j["p99_ms"] = Percentile(latencies, 0.99);
  // Tells how much of the machine the client itself took: on a shared
  // 2-core box the client competes with the node for CPU.
  j["client_cpu_s"] = client_cpu_s;
  return j;
}

// Parses a byte-size flag ("4MiB", "131072") into `out`; CLI11 reports the
// returned message.
std::string ParseSizeFlag(const std::string& text, uint64_t* out) {
  auto v = ParseByteSize(text);
  if (!v.ok()) return std::string(v.status().message());
  *out = *v;
  return "";
}

}  // namespace
}  // namespace drive::bench

int main(int argc, char** argv) {
  using drive::bench::BenchConfig;
  BenchConfig config;
  std::string chunk_size = "4MiB";
  std::string total_bytes;
  CLI::App app{"drive-bench: PutChunk/GetChunk load against one node"};
  app.add_option("--address", config.address, "Node gRPC address HOST:PORT")
      ->required();
  app.add_option("--token-file", config.token_file, "Cluster token file")
      ->required();
  app.add_option("--drive", config.drive, "Drive name on the node")
      ->capture_default_str();
  app.add_option("--account", config.account, "Account the chunks belong to")
      ->capture_default_str();
  app.add_option("--op", config.op, "put or get")
      ->required()
      ->check(CLI::IsMember({"put", "get"}));
  app.add_option("--chunk-size", chunk_size,
                 "Chunk size for put (get takes it from --ids-file)")
      ->capture_default_str();
  app.add_option("--streams", config.streams, "Parallel streams (threads)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("--total-bytes", total_bytes,
                 "Stop after this many bytes (e.g. 1GiB)");
  app.add_option("--seconds", config.seconds,
                 "Stop after this many seconds (with --total-bytes: whichever "
                 "comes first)");
  app.add_option("--ids-file", config.ids_file,
                 "put: write the chunk ids here; get: read them from here");
  app.add_option("--seed", config.seed, "Seed of the random data (0: random)")
      ->capture_default_str();
  app.add_flag("--verify", config.verify,
               "get: hash each chunk in the client too (the node always does)");
  app.add_option("--timeout", config.timeout_s, "Deadline per call, seconds")
      ->capture_default_str();
  bool plain_malloc = false;
  app.add_flag("--plain-malloc", plain_malloc,
               "Keep glibc's default malloc thresholds (costlier client)");
  CLI11_PARSE(app, argc, argv);

  std::string err = drive::bench::ParseSizeFlag(chunk_size, &config.chunk_size);
  if (err.empty() && !total_bytes.empty()) {
    uint64_t v = 0;
    err = drive::bench::ParseSizeFlag(total_bytes, &v);
    config.total_bytes = v;
  }
  if (err.empty() && config.op == "put" &&
      (config.chunk_size == 0 || config.chunk_size > drive::kMaxChunkBytes)) {
    err = "--chunk-size must be 1 byte..4MiB";
  }
  if (err.empty() && config.op == "put" && !config.total_bytes &&
      config.seconds <= 0) {
    err = "put needs --total-bytes or --seconds";
  }
  if (err.empty() && config.op == "get" && config.ids_file.empty()) {
    err = "get needs --ids-file";
  }
  if (!plain_malloc) drive::TuneAllocatorForLargeBuffers();
  if (config.seed == 0) config.seed = std::random_device{}();
  if (!err.empty()) {
    std::fprintf(stderr, "drive-bench: %s\n", err.c_str());
    return 2;
  }

  auto result = drive::bench::RunBench(config);
  if (!result.ok()) {
    std::fprintf(stderr, "drive-bench: %s\n",
                 result.status().ToString().c_str());
    return 1;
  }
  std::printf("%s\n", result->dump().c_str());
  return 0;
}
