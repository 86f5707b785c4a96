#pragma once

// Operator API: cluster status, accounts, drive states. Used by drive-admin
// and the local-cluster scripts. Thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace drive::client {

struct DriveStatus {
  std::string id;  // "node/drive"
  std::string node;
  std::string address;
  std::string region;
  std::string zone;
  std::string host;
  std::string state;  // up / down / out
  uint64_t capacity_bytes = 0;
  uint64_t free_bytes = 0;
  uint64_t chunks = 0;
  uint64_t logical_bytes = 0;
  double heartbeat_age_s = 0;
  uint32_t pgs = 0;  // PGs placed on this drive
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
};

class AdminClient {
 public:
  // `token` is the admin token. Does not contact the coordinator yet.
  AdminClient(std::string coordinator, std::string token,
              absl::Duration timeout = absl::Seconds(30));
  ~AdminClient();

  absl::StatusOr<ClusterStatus> Status();
  // Creates an account and returns its token (shown once).
  absl::StatusOr<std::string> CreateAccount(const std::string& account,
                                            bool add_token);
  // Takes a drive out of placement (or back in); returns the new epoch.
  absl::StatusOr<uint64_t> SetDriveOut(const std::string& drive_id, bool out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace drive::client
