#include "common/grpc/peer_channels.h"

#include "grpcpp/grpcpp.h"

namespace drive {

drive::v1::NodeService::Stub* PeerChannels::StubFor(
    const std::string& address) {
  absl::MutexLock lock(&mu_);
  auto& stub = stubs_[address];
  if (!stub) {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(8 << 20);
    stub = drive::v1::NodeService::NewStub(grpc::CreateCustomChannel(
        address, grpc::InsecureChannelCredentials(), args));
  }
  return stub.get();
}

}  // namespace drive
