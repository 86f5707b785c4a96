// Scrubbing: see the outline in scrubber.h. Failure handling:
// - a copy that reads with any error but "not found" is quarantined, since
//   an unreadable copy is as useless as a wrong one and must not be served;
// - a failed repair fetch is counted; the chunk is then simply missing on
//   this drive, and the coordinator's anti-entropy copies it back from any
//   healthy PG member, so no second repair path is needed here;
// - a failure to persist the cursor only costs re-verifying some chunks
//   after a restart; the step still counts.
// Two copies are verified at a time (the second on a helper thread joined
// before the next pair): a pass reads chunks in index order, which is at
// random places in the blob files, and with one read at a time the disk
// idles while a chunk is copied and hashed. Cold 2 GiB passes of one drive,
// alternating builds: 965-1425 MiB/s (median 1026) with one read in
// flight, 1320-1383 (median 1346) with two; warm passes the same; four
// were slower than two (bench/README.md, "Repair benchmark").

#include "daemon/scrubber/scrubber.h"

#include <algorithm>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace drive::scrubber {
namespace {

constexpr char kStateKey[] = "m/scrub";
// Index entries fetched per scan page.
constexpr size_t kPageEntries = 64;
// Background steps read about this much between pacing waits.
constexpr uint64_t kStepBytes = 16ull << 20;

void AddCounts(const ScrubResult& from, ScrubResult* to) {
  to->verified_chunks += from.verified_chunks;
  to->verified_bytes += from.verified_bytes;
  to->corrupt_found += from.corrupt_found;
  to->repaired += from.repaired;
}

}  // namespace

DriveScrubber::DriveScrubber(std::string drive, storage::ChunkStore* store,
                             ChunkRepairSource* source, Env* env,
                             ScrubOptions options)
    : drive_(std::move(drive)),
      store_(store),
      source_(source),
      env_(env),
      options_(options) {
  totals_.drive = drive_;
}

absl::Status DriveScrubber::Load() {
  absl::MutexLock step(&step_mu_);
  DRIVE_ASSIGN_OR_RETURN(auto raw, store_->GetMeta(kStateKey));
  absl::MutexLock lock(&mu_);
  int64_t now = absl::ToUnixSeconds(env_->Now());
  if (!raw) {
    // A drive scrubbed for the first time: its copies were verified when
    // they were written, which was after it was first opened by a scrubber
    // at the earliest we can tell. Record that moment.
    state_ = State{};
    state_.created_s = now;
    state_.pass_started_s = now;
    return Persist();
  }
  auto j = nlohmann::json::parse(*raw, nullptr, false);
  if (!j.is_object()) return absl::DataLossError("unreadable scrub state");
  std::string cursor = j.value("cursor_hex", "");
  if (cursor.size() % 2 != 0 ||
      cursor.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return absl::DataLossError("unreadable scrub cursor");
  }
  state_.cursor = absl::HexStringToBytes(cursor);
  state_.pass_started_s = j.value("pass_started_s", now);
  state_.last_pass_started_s = j.value("last_pass_started_s", int64_t{0});
  state_.created_s = j.value("created_s", now);
  state_.passes = j.value("passes", uint64_t{0});
  state_.pass_bytes = j.value("pass_bytes", uint64_t{0});
  return absl::OkStatus();
}

absl::Status DriveScrubber::Persist() {
  const State& s = state_;
  nlohmann::json j = {{"cursor_hex", absl::BytesToHexString(s.cursor)},
                      {"pass_started_s", s.pass_started_s},
                      {"last_pass_started_s", s.last_pass_started_s},
                      {"created_s", s.created_s},
                      {"passes", s.passes},
                      {"pass_bytes", s.pass_bytes}};
  return store_->PutMeta(kStateKey, j.dump());
}

absl::Status DriveScrubber::VerifyOne(std::string_view account,
                                      const ChunkId& id, uint32_t pg,
                                      ScrubResult* r) {
  auto data = store_->Get(account, id);
  if (data.ok()) {
    ++r->verified_chunks;
    r->verified_bytes += data->chunk_length();
    return absl::OkStatus();
  }
  if (absl::IsNotFound(data.status())) return data.status();
  ++r->corrupt_found;
  spdlog::error(
      "event=scrub_bad_copy drive={} account={} chunk={} pg={} error=\"{}\"",
      drive_, account, id.ToHex(), pg, data.status().ToString());
  auto q = store_->Quarantine(account, id, data.status().ToString());
  if (!q.ok()) {
    spdlog::warn("event=quarantine_failed drive={} chunk={} error=\"{}\"",
                 drive_, id.ToHex(), q.status().ToString());
    // It verifies after all (a transient read error): nothing to repair.
    if (absl::IsFailedPrecondition(q.status())) return absl::OkStatus();
    return q.status();
  }
  spdlog::warn(
      "event=chunk_quarantined drive={} account={} chunk={} expected={} "
      "found={}",
      drive_, account, id.ToHex(), id.ToHex(),
      q->found.empty() ? "undecodable" : q->found);
  auto good = source_ ? source_->FetchGoodCopy(account, id)
                      : absl::StatusOr<std::string>(
                            absl::UnavailableError("no repair source"));
  absl::Status stored =
      good.ok() ? store_->Put(account, id, *good).status() : good.status();
  absl::MutexLock lock(&mu_);
  if (stored.ok()) {
    ++r->repaired;
    ++totals_.repaired;
    spdlog::info("event=chunk_repaired drive={} account={} chunk={}", drive_,
                 account, id.ToHex());
    return absl::DataLossError(
        absl::StrCat("copy of ", id.ToHex(), " on ", drive_,
                     " was corrupt; quarantined and repaired from a peer"));
  }
  ++totals_.repair_failed;
  spdlog::error(
      "event=chunk_repair_failed drive={} account={} chunk={} error=\"{}\" "
      "note=\"left to anti-entropy\"",
      drive_, account, id.ToHex(), stored.ToString());
  return absl::DataLossError(absl::StrCat(
      "copy of ", id.ToHex(), " on ", drive_,
      " was corrupt; quarantined, repair pending: ", stored.message()));
}

absl::Status DriveScrubber::Check(std::string_view account, const ChunkId& id) {
  ScrubResult r;
  absl::Status s = VerifyOne(account, id, 0, &r);
  absl::MutexLock lock(&mu_);
  totals_.verified_chunks += r.verified_chunks;
  totals_.verified_bytes += r.verified_bytes;
  totals_.corrupt_found += r.corrupt_found;
  return s;
}

absl::StatusOr<ScrubResult> DriveScrubber::StepLocked(uint64_t max_bytes) {
  ScrubResult r;
  std::string cursor;
  {
    absl::MutexLock lock(&mu_);
    cursor = state_.cursor;
    // A pass starts with its first step, which may come long after the
    // previous pass ended (NextPassDue).
    if (cursor.empty() && state_.pass_bytes == 0) {
      state_.pass_started_s = absl::ToUnixSeconds(env_->Now());
    }
  }
  while (r.verified_bytes < max_bytes && !r.pass_completed) {
    if (cancelled_) return absl::CancelledError("scrub cancelled");
    DRIVE_ASSIGN_OR_RETURN(
        storage::IndexPage page,
        store_->ScanIndex(cursor, std::nullopt, kPageEntries));
    size_t i = 0;
    while (i < page.chunks.size() && r.verified_bytes < max_bytes) {
      // Errors are counted in the results; VerifyOne is thread-safe.
      ScrubResult second;
      std::thread helper;
      if (i + 1 < page.chunks.size()) {
        const auto* c = &page.chunks[i + 1];
        helper = std::thread([this, c, &second] {
          VerifyOne(c->account, c->id, c->pg, &second).IgnoreError();
        });
      }
      const auto& c = page.chunks[i];
      VerifyOne(c.account, c.id, c.pg, &r).IgnoreError();
      if (helper.joinable()) {
        helper.join();
        AddCounts(second, &r);
        ++i;
      }
      const auto& last = page.chunks[i++];
      cursor = storage::ChunkKey(storage::kChunkIndexTag, last.pg, last.account,
                                 last.id);
    }
    r.pass_completed = i == page.chunks.size() && page.next.empty();
  }
  absl::MutexLock lock(&mu_);
  totals_.verified_chunks += r.verified_chunks;
  totals_.verified_bytes += r.verified_bytes;
  totals_.corrupt_found += r.corrupt_found;
  state_.pass_bytes += r.verified_bytes;
  if (r.pass_completed) {
    // Every copy present when this pass started has now been verified, and
    // every later copy was verified when it was written.
    int64_t now_s = absl::ToUnixSeconds(env_->Now());
    // Small drives finish a pass every few seconds: log those at debug.
    auto level = now_s - state_.pass_started_s >= 60 ? spdlog::level::info
                                                     : spdlog::level::debug;
    spdlog::log(level, "event=scrub_pass_done drive={} passes={} bytes={}",
                drive_, state_.passes + 1, state_.pass_bytes);
    state_.last_pass_started_s = state_.pass_started_s;
    state_.pass_started_s = now_s;
    state_.passes += 1;
    state_.pass_bytes = 0;
    state_.cursor.clear();
  } else {
    state_.cursor = cursor;
  }
  if (absl::Status s = Persist(); !s.ok()) {
    spdlog::warn("event=scrub_state_not_saved drive={} error=\"{}\"", drive_,
                 s.ToString());
  }
  return r;
}

absl::StatusOr<ScrubResult> DriveScrubber::Step(uint64_t max_bytes) {
  absl::MutexLock step(&step_mu_);
  return StepLocked(max_bytes);
}

absl::StatusOr<ScrubResult> DriveScrubber::RunPass() {
  absl::MutexLock step(&step_mu_);
  {
    absl::MutexLock lock(&mu_);
    state_.cursor.clear();
    state_.pass_bytes = 0;
    state_.pass_started_s = absl::ToUnixSeconds(env_->Now());
  }
  ScrubResult total;
  while (!total.pass_completed) {
    DRIVE_ASSIGN_OR_RETURN(ScrubResult r, StepLocked(kStepBytes));
    AddCounts(r, &total);
    total.pass_completed = r.pass_completed;
  }
  return total;
}

double DriveScrubber::PaceFor(uint64_t logical_bytes) const {
  double rate = static_cast<double>(logical_bytes) /
                absl::ToDoubleSeconds(options_.deadline / 2);
  return std::clamp(rate, options_.min_rate_bytes,
                    std::max(options_.min_rate_bytes, options_.max_rate_bytes));
}

absl::Time DriveScrubber::NextPassDue() const {
  absl::MutexLock lock(&mu_);
  if (state_.passes == 0 || !state_.cursor.empty() || state_.pass_bytes > 0) {
    return absl::InfinitePast();
  }
  return absl::FromUnixSeconds(state_.last_pass_started_s) +
         options_.deadline / 2;
}

double DriveScrubber::Pace() const {
  auto usage = store_->Usage();
  return PaceFor(usage.ok() ? usage->logical_bytes : 0);
}

ScrubProgress DriveScrubber::Progress() const {
  auto usage = store_->Usage();
  absl::MutexLock lock(&mu_);
  ScrubProgress p = totals_;
  p.reported = true;
  uint64_t logical = usage.ok() ? usage->logical_bytes : 0;
  p.pass_fraction = logical == 0
                        ? 1.0
                        : std::min(1.0, static_cast<double>(state_.pass_bytes) /
                                            static_cast<double>(logical));
  p.oldest_verified_unix_s =
      state_.passes > 0 ? state_.last_pass_started_s : state_.created_s;
  p.passes = state_.passes;
  p.quarantined = usage.ok() ? usage->quarantined : 0;
  double deadline_s = absl::ToDoubleSeconds(options_.deadline);
  p.rate_bytes_per_s = PaceFor(logical);
  int64_t age = absl::ToUnixSeconds(env_->Now()) - p.oldest_verified_unix_s;
  bool fits =
      static_cast<double>(logical) <= options_.max_rate_bytes * deadline_s;
  p.on_schedule = fits && static_cast<double>(age) <= deadline_s;
  return p;
}

absl::StatusOr<std::unique_ptr<Scrubber>> Scrubber::Create(
    const std::vector<std::pair<std::string, storage::ChunkStore*>>& drives,
    ChunkRepairSource* source, Env* env, ScrubOptions options) {
  std::unique_ptr<Scrubber> s(new Scrubber());
  s->options_ = options;
  s->env_ = env;
  for (const auto& [name, store] : drives) {
    auto d = std::make_unique<DriveScrubber>(name, store, source, env, options);
    DRIVE_RETURN_IF_ERROR(d->Load());
    s->limiters_.push_back(std::make_unique<RateLimiter>(env, d->Pace()));
    s->drives_.push_back(std::move(d));
  }
  return s;
}

Scrubber::~Scrubber() { Stop(); }

void Scrubber::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  for (const auto& d : drives_) d->Cancel();
  absl::MutexLock lock(&running_mu_);
  auto done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(running_mu_) {
    return running_ == 0;
  };
  running_mu_.Await(absl::Condition(&done));
}

void Scrubber::Start(Executor* executor) {
  if (options_.max_rate_bytes <= 0) {
    spdlog::warn("event=background_scrub_off note=\"passes on demand only\"");
    return;
  }
  for (size_t i = 0; i < drives_.size(); ++i) {
    {
      absl::MutexLock lock(&running_mu_);
      ++running_;
    }
    executor->Schedule([this, i] {
      Loop(drives_[i].get());
      absl::MutexLock lock(&running_mu_);
      --running_;
    });
  }
}

void Scrubber::Loop(DriveScrubber* d) {
  RateLimiter* limiter = nullptr;
  for (size_t i = 0; i < drives_.size(); ++i) {
    if (drives_[i].get() == d) limiter = limiters_[i].get();
  }
  while (!stop_.HasBeenNotified()) {
    if (absl::Duration idle = d->NextPassDue() - env_->Now();
        idle > absl::ZeroDuration()) {
      // Woken at least every minute: a `scrub --now` meanwhile moves the
      // due time, and the env's clock may be a test's.
      stop_.WaitForNotificationWithTimeout(std::min(idle, absl::Minutes(1)));
      continue;
    }
    limiter->SetRate(d->Pace());
    auto r = d->Step(kStepBytes);
    absl::Duration wait = absl::Seconds(1);
    if (r.ok()) {
      // A pass over an empty drive reads nothing: wait a little anyway.
      wait = r->verified_bytes > 0 ? limiter->Reserve(r->verified_bytes)
                                   : absl::Seconds(5);
    } else {
      spdlog::error("event=scrub_step_failed drive={} error=\"{}\"", d->drive(),
                    r.status().ToString());
      wait = absl::Seconds(10);
    }
    stop_.WaitForNotificationWithTimeout(wait);
  }
}

absl::StatusOr<ScrubResult> Scrubber::ScrubNow(const std::string& drive) {
  ScrubResult total;
  bool found = false;
  for (const auto& d : drives_) {
    if (!drive.empty() && d->drive() != drive) continue;
    found = true;
    DRIVE_ASSIGN_OR_RETURN(ScrubResult r, d->RunPass());
    AddCounts(r, &total);
    total.pass_completed = true;
  }
  if (!found) return absl::NotFoundError("no drive named " + drive);
  return total;
}

absl::Status Scrubber::Check(const std::string& drive, std::string_view account,
                             const ChunkId& id) {
  for (const auto& d : drives_) {
    if (d->drive() == drive) return d->Check(account, id);
  }
  return absl::NotFoundError("no drive named " + drive);
}

std::vector<ScrubProgress> Scrubber::Progress() const {
  std::vector<ScrubProgress> out;
  for (const auto& d : drives_) out.push_back(d->Progress());
  return out;
}

}  // namespace drive::scrubber
