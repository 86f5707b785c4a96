#pragma once

// Operator API: cluster status, accounts, drive states, repair, scrub,
// garbage collection and metadata backups. Used by drive-admin and the
// local-cluster scripts. Thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/scrub_progress.h"

namespace drive::client {

struct DriveStatus {
  std::string id;  // "node/drive"
  std::string node;
  std::string address;
  std::string region;
  std::string zone;
  std::string host;
  std::string state;  // up / down / out / draining / failed
  uint64_t capacity_bytes = 0;
  uint64_t free_bytes = 0;
  uint64_t chunks = 0;
  uint64_t logical_bytes = 0;
  double heartbeat_age_s = 0;
  uint32_t pgs = 0;     // PGs placed on this drive
  ScrubProgress scrub;  // `reported` false until its node sent any
  std::string error;    // why it failed (state "failed")
};

// Missing copies of one risk class ("one-region", "copies-N").
struct RepairBacklog {
  std::string risk;
  uint64_t pgs = 0;
  uint64_t chunks = 0;
  uint64_t bytes = 0;
  std::string blocked;  // why it waits, if it cannot be repaired now
};

struct RepairState {
  std::vector<RepairBacklog> backlog;  // repair order
  uint64_t copied_chunks = 0;
  uint64_t copied_bytes = 0;
  uint64_t failed_copies = 0;
  double rate_bytes_per_s = 0;
  double eta_s = -1;  // -1: unknown
  int64_t last_sweep_ms = 0;
  uint32_t pgs_checked = 0;
  uint64_t strays_removed = 0;
  bool running = false;
  // Referenced chunks on no drive at all, and the files using them
  // ("account/path"; at most 100 listed, lost_files_total in all).
  uint64_t lost_chunks = 0;
  std::vector<std::string> lost_files;
  uint64_t lost_files_total = 0;
  // Set by Repair(wait=true) for the sweep it ran: whether it found nothing
  // missing (RepairResponse.complete), the copies it planned, and the PGs
  // it could not check.
  bool complete = false;
  uint64_t copies_planned = 0;
  uint32_t pgs_unchecked = 0;
  uint64_t backlog_chunks() const;
  uint64_t backlog_bytes() const;
};

struct GcState {
  int64_t unix_ms = 0;  // 0: never ran
  bool dry_run = false;
  uint64_t trash_expired = 0;
  uint64_t chunks = 0;
  uint64_t bytes = 0;
  uint64_t pending = 0;
};

struct BackupState {
  std::string id;  // empty: none yet
  int64_t unix_ms = 0;
  uint64_t bytes = 0;
  uint32_t kept = 0;
  std::string error;  // of the last attempt, if it failed
};

struct DrainState {
  std::string drive_id;
  uint64_t chunks_left = 0;
  uint64_t bytes_left = 0;
  bool done = false;
};

struct ClusterStatus {
  uint64_t epoch = 0;
  uint32_t pg_count = 0;
  std::vector<std::string> regions;
  std::vector<DriveStatus> drives;
  uint32_t pgs_full = 0;
  uint32_t pgs_degraded = 0;
  uint32_t pgs_one_region = 0;
  uint32_t pgs_unavailable = 0;
  uint64_t files = 0;
  uint64_t logical_bytes = 0;
  uint64_t bad_replicas_reported = 0;
  RepairState repair;
  GcState last_gc;
  BackupState last_backup;
  std::vector<DrainState> drains;
};

// One drive's scrub pass (or progress).
struct DriveScrubResult {
  std::string drive_id;
  ScrubProgress progress;
  uint64_t verified_chunks = 0;
  uint64_t corrupt_found = 0;
  uint64_t repaired = 0;
  std::string error;
};

struct PgState {
  uint32_t pg = 0;
  std::vector<std::string> drives;
  std::string health;  // full / degraded / one-region / unavailable
  bool synced = false;
  uint64_t missing_copies = 0;
  uint64_t chunks = 0;
};

class AdminClient {
 public:
  // `coordinator` is an address or a list to fail over between (see
  // ClientOptions::coordinator); `token` is the admin token. Does not
  // contact the coordinator yet; a bad list or token is the error of every
  // call.
  // `timeout` bounds quick calls; scrubs, repairs, GC and backups that run
  // to completion get `long_timeout`.
  AdminClient(std::string coordinator, std::string token,
              absl::Duration timeout = absl::Seconds(30),
              absl::Duration long_timeout = absl::Hours(2));
  ~AdminClient();

  absl::StatusOr<ClusterStatus> Status();
  // Creates an account and returns its token (shown once).
  absl::StatusOr<std::string> CreateAccount(const std::string& account,
                                            bool add_token);
  absl::StatusOr<std::vector<std::string>> ListAccounts();
  // Takes a drive out of placement (or back in); returns the new epoch.
  absl::StatusOr<uint64_t> SetDriveOut(const std::string& drive_id, bool out);
  // Starts (or cancels) draining a drive; returns the new epoch.
  absl::StatusOr<uint64_t> Drain(const std::string& drive_id, bool cancel);
  // Runs a repair sweep (wait: with its copies, before answering).
  absl::StatusOr<RepairState> Repair(bool wait);
  // Scrubs one drive ("" = all) now, or only reports progress.
  absl::StatusOr<std::vector<DriveScrubResult>> Scrub(
      const std::string& drive_id, bool now);
  absl::StatusOr<std::vector<PgState>> ListPgs(bool unhealthy_only);
  absl::StatusOr<GcState> CollectGarbage(bool dry_run);
  absl::StatusOr<BackupState> BackupMetadata();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace drive::client
