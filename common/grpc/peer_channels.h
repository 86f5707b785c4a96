#pragma once

#include <cstddef>
#include <list>
#include <map>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "drive/v1/node.grpc.pb.h"

namespace drive {

// One NodeService stub per peer address, created on first use and reused
// (gRPC reconnects by itself). The table holds at most `capacity` stubs:
// using one more drops the least recently used, so addresses a process
// stops talking to (nodes that left the map, or addresses named in
// requests) do not pile up. A dropped stub lives on while a caller still
// holds it. Thread-safe.
class PeerChannels {
 public:
  // capacity >= 1. Default: 512, more than the nodes of a large cluster.
  explicit PeerChannels(size_t capacity = 512);

  // The stub for HOST:PORT `address`; never null.
  std::shared_ptr<drive::v1::NodeService::Stub> StubFor(
      const std::string& address);

  // Stubs in the table now.
  size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<drive::v1::NodeService::Stub> stub;
    std::list<std::string>::iterator lru;  // position in lru_
  };

  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::map<std::string, Entry> stubs_ ABSL_GUARDED_BY(mu_);
  // Addresses, most recently used first.
  std::list<std::string> lru_ ABSL_GUARDED_BY(mu_);
};

}  // namespace drive
