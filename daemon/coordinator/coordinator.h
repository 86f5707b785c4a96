#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/env.h"
#include "daemon/coordinator/bad_report_gate.h"
#include "daemon/coordinator/namespace.h"
#include "daemon/coordinator/node_registry.h"
#include "daemon/coordinator/pg_health.h"
#include "daemon/coordinator/repair_planner.h"

namespace drive::coordinator {

// Who is calling, as proven by their bearer token.
enum class Role { kCluster, kAdmin, kAccount };
struct Caller {
  Role role = Role::kAccount;
  std::string account;  // for kAccount
};

struct CoordinatorOptions {
  // Operator token; required.
  std::string admin_token;
  // Shared secret of the daemons; also the data-token signing key.
  std::string cluster_token;
  // Lifetime of data tokens handed to clients. Default: 1 h.
  absl::Duration data_token_ttl = absl::Hours(1);
  // Degraded mode the operator may allow while a region is lost: commits
  // of chunks with copies in one region only are accepted as "local"
  // instead of refused; anti-entropy copies them to the other region when
  // it returns. Default: false.
  bool allow_local_writes = false;
};

// The coordinator's policy layer over the registry and the namespace:
// authentication and authorization, data tokens, and the durability rules
// of a commit. Thread-safe; registry, namespace and env are not owned.
class Coordinator {
 public:
  Coordinator(NodeRegistry* registry, Namespace* ns, Env* env,
              CoordinatorOptions options);

  // Resolves a bearer token: cluster, admin, or an account's token.
  // kUnauthenticated if it is none of them.
  absl::StatusOr<Caller> Authenticate(std::string_view token);
  // kPermissionDenied unless the caller has `role`. The admin token passes
  // the operators' calls and every account's, but not the daemons' own
  // (kCluster: node registration and heartbeats), which no operator needs
  // to make by hand (docs/security.md).
  absl::Status Require(const Caller& caller, Role role) const;
  // kPermissionDenied unless the caller may act on `account`'s files: the
  // account's own token, the admin token or the cluster token (daemons
  // such as the HTTP gateway act for every account).
  absl::Status RequireAccount(const Caller& caller,
                              const std::string& account) const;

  // A data token for `account` and its expiry (Unix s).
  std::pair<std::string, int64_t> IssueDataToken(const std::string& account);

  // Sets each file's durability from its chunks' replicas and the current
  // map, then commits. kFailedPrecondition if a chunk lacks a copy in
  // either region (the write quorum was not met; unless local writes are
  // allowed) or no map exists yet. PGs left short of six copies are marked
  // for repair. upload_started_ms: see Namespace::Commit.
  absl::StatusOr<std::vector<FileRecord>> Commit(
      const std::string& account, std::vector<FileRecord> files,
      const std::vector<uint64_t>* expected_versions,
      int64_t upload_started_ms = 0);

  // The file's durability now: "lost" when the repair planner found a
  // chunk of it referenced and on no drive; "full" when every chunk's PG
  // has six up members that anti-entropy found (or the commit recorded)
  // holding it; else what the commit established ("geo" or "local").
  std::string DurabilityNow(const std::string& account,
                            const FileRecord& f) const;
  // Stat and List with durability brought up to date.
  absl::StatusOr<FileRecord> Stat(const std::string& account,
                                  const std::string& path);
  absl::StatusOr<FileListing> List(const std::string& account,
                                   const std::string& prefix,
                                   const std::string& cursor, size_t limit);

  // The repair planner whose PG states durability uses and whose sweeps a
  // short commit or a bad-copy report triggers; not owned, may be null.
  void SetRepairPlanner(RepairPlanner* planner,
                        std::function<void()> wake_repair);
  // Decides about every bad-copy report (e.g. a BadReplicaChecker, which
  // has the node verify and repair that copy at once) given a rate-limit
  // key of the caller, the account, the chunk and the drive id; may be null
  // (every report is recorded).
  using BadReportHandler =
      std::function<BadReportVerdict(const std::string&, const std::string&,
                                     const ChunkId&, const std::string&)>;
  void SetBadReportHandler(BadReportHandler handler) {
    bad_report_handler_ = std::move(handler);
  }
  void SetAllowLocalWrites(bool allow) { allow_local_.store(allow); }
  bool allow_local_writes() const { return allow_local_.load(); }

  // Records that a reader (`caller`) found a bad or missing copy and marks
  // its PG for repair. A report of a copy checked just now changes nothing.
  // kResourceExhausted, recording nothing, when the caller reports faster
  // than the handler allows.
  absl::Status ReportBadReplica(const Caller& caller,
                                const std::string& account, const ChunkId& id,
                                const std::string& drive_id,
                                const std::string& reason);
  uint64_t bad_replicas_reported() const { return bad_reports_.load(); }

  // Every PG of the current map, classified by ClassifyPg with the repair
  // planner's view of it. kUnavailable when no map exists yet.
  absl::StatusOr<PgListing> Pgs() const;
  // The same classification, counted; all zero when no map exists yet.
  PgHealth Health() const;

  NodeRegistry* registry() { return registry_; }
  Namespace* ns() { return ns_; }

 private:
  absl::StatusOr<std::string> DurabilityOf(const std::string& account,
                                           const FileRecord& f,
                                           const ClusterView& view) const;

  NodeRegistry* registry_;
  Namespace* ns_;
  Env* env_;
  CoordinatorOptions options_;
  std::atomic<uint64_t> bad_reports_{0};
  std::atomic<bool> allow_local_{false};
  RepairPlanner* planner_ = nullptr;
  std::function<void()> wake_repair_;
  BadReportHandler bad_report_handler_;
};

}  // namespace drive::coordinator
