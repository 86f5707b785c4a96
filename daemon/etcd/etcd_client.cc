#include "daemon/etcd/etcd_client.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/status_convert.h"
#include "grpcpp/grpcpp.h"

namespace drive::etcd {
namespace {

// etcd answers an over-limit request with INVALID_ARGUMENT and these
// messages (etcdserver/api/v3rpc/rpctypes); for Drive they mean the batch
// is too big, which callers handle as kResourceExhausted.
bool IsSizeRefusal(const grpc::Status& s) {
  return absl::StrContains(s.error_message(), "request is too large") ||
         absl::StrContains(s.error_message(), "too many operations in txn");
}

}  // namespace

EtcdClient::EtcdClient(const std::vector<std::string>& endpoints,
                       absl::Duration timeout)
    : endpoints_(endpoints), timeout_(timeout) {
  for (const auto& endpoint : endpoints_) {
    grpc::ChannelArguments args;
    // Range pages are bounded by key count, not bytes; etcd itself sends
    // responses of any size.
    args.SetMaxReceiveMessageSize(-1);
    stubs_.push_back(etcdserverpb::KV::NewStub(grpc::CreateCustomChannel(
        endpoint, grpc::InsecureChannelCredentials(), args)));
  }
}

template <typename Response, typename Call>
absl::StatusOr<Response> EtcdClient::Invoke(const char* what, bool idempotent,
                                            const Call& call) {
  size_t first = current_.load();
  grpc::Status last;
  for (size_t i = 0; i < stubs_.size(); ++i) {
    size_t at = (first + i) % stubs_.size();
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
    Response response;
    last = call(stubs_[at].get(), &context, &response);
    if (last.ok()) return response;
    bool unreachable = last.error_code() == grpc::StatusCode::UNAVAILABLE ||
                       last.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
    if (unreachable) {
      // Later calls start at the next endpoint.
      size_t expected = at;
      current_.compare_exchange_strong(expected, (at + 1) % stubs_.size());
    }
    if (IsSizeRefusal(last)) {
      return absl::ResourceExhaustedError(
          absl::StrCat("etcd ", what, " refused: ", last.error_message(),
                       "; nothing written"));
    }
    if (!unreachable) {
      absl::Status s = FromGrpcStatus(last);
      return absl::Status(
          s.code(), absl::StrCat("etcd ", what, " at ", endpoints_[at], ": ",
                                 s.message()));
    }
    if (!idempotent) {
      return absl::UnavailableError(absl::StrCat(
          "etcd ", what, " at ", endpoints_[at], ": ", last.error_message(),
          " (it may or may not have been applied)"));
    }
  }
  return absl::UnavailableError(
      absl::StrCat("etcd ", what, ": no endpoint of ", stubs_.size(),
                   " answered; last: ", last.error_message()));
}

absl::StatusOr<etcdserverpb::RangeResponse> EtcdClient::Range(
    const etcdserverpb::RangeRequest& request) {
  return Invoke<etcdserverpb::RangeResponse>(
      "range", true,
      [&](etcdserverpb::KV::Stub* stub, grpc::ClientContext* c,
          etcdserverpb::RangeResponse* r) {
        return stub->Range(c, request, r);
      });
}

absl::StatusOr<etcdserverpb::TxnResponse> EtcdClient::Txn(
    const etcdserverpb::TxnRequest& request) {
  return Invoke<etcdserverpb::TxnResponse>(
      "txn", false,
      [&](etcdserverpb::KV::Stub* stub, grpc::ClientContext* c,
          etcdserverpb::TxnResponse* r) { return stub->Txn(c, request, r); });
}

}  // namespace drive::etcd
