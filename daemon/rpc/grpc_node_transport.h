#pragma once

#include <string>

#include "absl/time/time.h"
#include "common/grpc/peer_channels.h"
#include "daemon/coordinator/node_transport.h"

namespace drive::rpc {

// The coordinator's NodeTransport over NodeService calls with the cluster
// token. Every call has a deadline: `timeout` for quick calls, `long_timeout`
// for pulls and scrub passes. Thread-safe.
class GrpcNodeTransport final : public coordinator::NodeTransport {
 public:
  GrpcNodeTransport(std::string cluster_token,
                    absl::Duration timeout = absl::Seconds(30),
                    absl::Duration long_timeout = absl::Minutes(30));

  absl::StatusOr<std::vector<coordinator::PgDigestInfo>> Digests(
      const coordinator::DriveView& drive) override;
  absl::StatusOr<coordinator::PgChunkPage> ListPg(
      const coordinator::DriveView& drive, uint32_t pg,
      const std::string& cursor, uint32_t limit) override;
  absl::StatusOr<coordinator::PullOutcome> Pull(
      const coordinator::DriveView& target,
      const std::vector<coordinator::PullTask>& tasks) override;
  absl::StatusOr<uint64_t> Delete(const coordinator::DriveView& drive,
                                  const std::string& account,
                                  const std::vector<ChunkId>& ids,
                                  int64_t stored_before_unix_s) override;
  absl::StatusOr<std::vector<absl::Status>> Verify(
      const coordinator::DriveView& drive, const std::string& account,
      const std::vector<ChunkId>& ids) override;
  coordinator::DriveScrubOutcome Scrub(const coordinator::DriveView& drive,
                                       bool start) override;
  absl::Status PutBackupRecord(const coordinator::DriveView& drive,
                               const std::string& id, const std::string& record,
                               const std::vector<std::string>& remove) override;

 private:
  void Prepare(grpc::ClientContext* ctx, absl::Duration timeout) const;

  std::string cluster_token_;
  absl::Duration timeout_;
  absl::Duration long_timeout_;
  PeerChannels peers_;
};

}  // namespace drive::rpc
