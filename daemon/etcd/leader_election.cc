#include "daemon/etcd/leader_election.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "daemon/etcd/etcd_client.h"
#include "spdlog/spdlog.h"

namespace drive::etcd {
namespace {

std::chrono::nanoseconds ToChrono(absl::Duration d) {
  return absl::ToChronoNanoseconds(d);
}

}  // namespace

absl::StatusOr<std::unique_ptr<LeaderElection>> LeaderElection::Start(
    LeaderElectionOptions options, ChangeFn on_change) {
  if (options.target.endpoints.empty()) {
    return absl::InvalidArgumentError("leader election: no etcd endpoint");
  }
  if (options.candidate.empty()) {
    return absl::InvalidArgumentError("leader election: empty candidate");
  }
  if (options.ttl < absl::Seconds(1) || options.ttl > absl::Hours(1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("leader lease TTL ", absl::FormatDuration(options.ttl),
                     " is outside 1s..1h"));
  }
  std::unique_ptr<LeaderElection> election(
      new LeaderElection(std::move(options), std::move(on_change)));
  election->thread_ = std::thread([e = election.get()] { e->Loop(); });
  return election;
}

LeaderElection::LeaderElection(LeaderElectionOptions options,
                               ChangeFn on_change)
    : options_(std::move(options)),
      key_(options_.target.prefix + "/" + std::string(coordinator::kLeaderKey)),
      on_change_(std::move(on_change)),
      // Every call ends well within a lease, so a stuck call never hides a
      // lapsed one for long.
      client_(std::make_unique<EtcdClient>(
          options_.target.endpoints,
          std::min(absl::Seconds(5), options_.ttl / 2))),
      granted_ttl_(options_.ttl) {}

LeaderElection::~LeaderElection() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

std::optional<int64_t> LeaderElection::Term() const {
  absl::MutexLock lock(&mu_);
  if (!leading_ || Clock::now() >= expiry_) return std::nullopt;
  return seen_.term;
}

LeaderState LeaderElection::state() const {
  absl::MutexLock lock(&mu_);
  LeaderState s = seen_;
  s.self = leading_ && Clock::now() < expiry_;
  return s;
}

bool LeaderElection::WaitForLeadership(absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&leading_), timeout);
  return leading_ && Clock::now() < expiry_;
}

absl::Duration LeaderElection::ttl() const {
  absl::MutexLock lock(&mu_);
  return granted_ttl_;
}

void LeaderElection::PauseForTesting(bool paused) {
  absl::MutexLock lock(&mu_);
  paused_ = paused;
}

void LeaderElection::AbandonForTesting() {
  absl::MutexLock lock(&mu_);
  abandon_ = true;
}

bool LeaderElection::Wait(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  auto interrupted = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stop_ || paused_;
  };
  mu_.AwaitWithTimeout(absl::Condition(&interrupted), d);
  return !interrupted();
}

void LeaderElection::Loop() {
  while (true) {
    bool leading;
    {
      absl::MutexLock lock(&mu_);
      auto runnable = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stop_ || !paused_;
      };
      mu_.Await(absl::Condition(&runnable));
      if (stop_) break;
      leading = leading_;
    }
    if (leading) {
      Lead();
    } else {
      Follow();
    }
  }
  int64_t lease = 0;
  {
    absl::MutexLock lock(&mu_);
    if (leading_ && !abandon_) lease = lease_;
    leading_ = false;
  }
  // Hand over at once instead of after the TTL.
  if (lease != 0) client_->LeaseRevoke(lease).IgnoreError();  // expires anyway
}

void LeaderElection::Follow() {
  etcdserverpb::RangeRequest read;
  read.set_key(key_);
  auto current = client_->Range(read);
  absl::Duration poll = std::max(absl::Milliseconds(100), options_.ttl / 5);
  if (!current.ok()) {
    spdlog::warn("event=leader_poll_failed error=\"{}\"",
                 current.status().ToString());
    Wait(poll);
    return;
  }
  if (current->kvs_size() > 0) {
    const mvccpb::KeyValue& kv = current->kvs(0);
    absl::MutexLock lock(&mu_);
    seen_ = LeaderState{false, kv.value(), kv.create_revision()};
  } else {
    {
      absl::MutexLock lock(&mu_);
      seen_ = LeaderState{};
    }
    Campaign();
    absl::MutexLock lock(&mu_);
    if (leading_) return;
  }
  Wait(poll);
}

void LeaderElection::Campaign() {
  // The lease started at etcd after this moment, so it lives at least
  // until sent + TTL: the local expiry errs early, never late.
  Clock::time_point sent = Clock::now();
  auto grant = client_->LeaseGrant(options_.ttl);
  if (!grant.ok()) {
    spdlog::warn("event=leader_campaign_failed error=\"{}\"",
                 grant.status().ToString());
    return;
  }
  etcdserverpb::TxnRequest txn;
  etcdserverpb::Compare* absent = txn.add_compare();
  absent->set_result(etcdserverpb::Compare::EQUAL);
  absent->set_target(etcdserverpb::Compare::CREATE);
  absent->set_key(key_);
  absent->set_create_revision(0);
  etcdserverpb::PutRequest* put = txn.add_success()->mutable_request_put();
  put->set_key(key_);
  put->set_value(options_.candidate);
  put->set_lease(grant->id());
  txn.add_failure()->mutable_request_range()->set_key(key_);
  auto result = client_->Txn(txn);
  if (!result.ok() || !result->succeeded()) {
    // Lost, or the outcome is unknown: revoking the lease deletes the key
    // too if this Txn did write it.
    client_->LeaseRevoke(grant->id()).IgnoreError();  // expires anyway
    if (!result.ok()) {
      spdlog::warn("event=leader_campaign_failed error=\"{}\"",
                   result.status().ToString());
    } else if (const auto& r = result->responses(0).response_range();
               r.kvs_size() > 0) {
      absl::MutexLock lock(&mu_);
      seen_ = LeaderState{false, r.kvs(0).value(), r.kvs(0).create_revision()};
    }
    return;
  }
  // The key was created by this Txn: its create (and mod) revision is the
  // Txn's revision, the term's fencing token.
  int64_t term = result->header().revision();
  absl::Duration ttl = absl::Seconds(grant->ttl());
  {
    absl::MutexLock lock(&mu_);
    leading_ = true;
    lease_ = grant->id();
    granted_ttl_ = ttl;
    expiry_ = sent + ToChrono(ttl);
    seen_ = LeaderState{true, options_.candidate, term};
  }
  spdlog::info("event=leader_elected candidate={} term={} ttl_s={}",
               options_.candidate, term, absl::ToInt64Seconds(ttl));
  if (on_change_) on_change_(true, term);
}

void LeaderElection::Lead() {
  Clock::time_point sent = Clock::now();
  int64_t lease;
  Clock::time_point expiry;
  absl::Duration ttl;
  {
    absl::MutexLock lock(&mu_);
    lease = lease_;
    expiry = expiry_;
    ttl = granted_ttl_;
  }
  if (sent >= expiry) {
    StepDown("lease may have expired before a keep-alive was sent");
    return;
  }
  auto refreshed = client_->KeepAliveOnce(
      lease, absl::Now() + absl::FromChrono(expiry - sent));
  if (absl::IsNotFound(refreshed.status())) {
    StepDown("etcd reports the lease expired");
    return;
  }
  absl::Duration next = ttl / 3;
  if (refreshed.ok()) {
    absl::MutexLock lock(&mu_);
    // Counted from when the keep-alive was sent: etcd refreshed the lease
    // at some later moment, so it lives at least this long.
    expiry_ = std::max(expiry_, sent + ToChrono(*refreshed));
  } else {
    spdlog::warn("event=leader_keepalive_failed term={} error=\"{}\"",
                 state().term, refreshed.status().ToString());
    next = std::max(absl::Milliseconds(50), ttl / 10);  // retry soon
  }
  Wait(next);
}

void LeaderElection::StepDown(const char* why) {
  int64_t term, lease;
  {
    absl::MutexLock lock(&mu_);
    if (!leading_) return;
    leading_ = false;
    term = seen_.term;
    lease = lease_;
    seen_ = LeaderState{};
  }
  spdlog::warn("event=leader_stepped_down candidate={} term={} reason=\"{}\"",
               options_.candidate, term, why);
  if (on_change_) on_change_(false, term);
  // If the lease still lives at etcd, end it so the next leader need not
  // wait for it.
  client_->LeaseRevoke(lease).IgnoreError();  // expires anyway
}

}  // namespace drive::etcd
