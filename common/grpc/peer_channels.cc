#include "common/grpc/peer_channels.h"

#include <algorithm>

#include "grpcpp/grpcpp.h"

namespace drive {

PeerChannels::PeerChannels(size_t capacity)
    : capacity_(std::max<size_t>(capacity, 1)) {}

std::shared_ptr<drive::v1::NodeService::Stub> PeerChannels::StubFor(
    const std::string& address) {
  absl::MutexLock lock(&mu_);
  auto it = stubs_.find(address);
  if (it != stubs_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it->second.stub;
  }
  if (stubs_.size() >= capacity_) {
    stubs_.erase(lru_.back());
    lru_.pop_back();
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(8 << 20);
  std::shared_ptr<drive::v1::NodeService::Stub> stub =
      drive::v1::NodeService::NewStub(grpc::CreateCustomChannel(
          address, grpc::InsecureChannelCredentials(), args));
  lru_.push_front(address);
  stubs_[address] = Entry{stub, lru_.begin()};
  return stub;
}

size_t PeerChannels::size() const {
  absl::MutexLock lock(&mu_);
  return stubs_.size();
}

}  // namespace drive
