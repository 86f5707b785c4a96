#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "drive/v1/node.grpc.pb.h"

namespace drive {

// One NodeService stub per peer address, created on first use and kept for
// the life of the process (gRPC reconnects by itself). Thread-safe.
class PeerChannels {
 public:
  drive::v1::NodeService::Stub* StubFor(const std::string& address);

 private:
  absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<drive::v1::NodeService::Stub>> stubs_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace drive
