#include "daemon/etcd/etcd_client.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/status_convert.h"
#include "common/status_macros.h"
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
    auto channel = grpc::CreateCustomChannel(
        endpoint, grpc::InsecureChannelCredentials(), args);
    stubs_.push_back(etcdserverpb::KV::NewStub(channel));
    lease_stubs_.push_back(etcdserverpb::Lease::NewStub(channel));
  }
}

template <typename Response, typename Call>
absl::StatusOr<Response> EtcdClient::Invoke(const char* what, bool idempotent,
                                            const Call& call,
                                            absl::Time deadline) {
  size_t first = current_.load();
  grpc::Status last;
  for (size_t i = 0; i < stubs_.size(); ++i) {
    size_t at = (first + i) % stubs_.size();
    grpc::ClientContext context;
    context.set_deadline(
        absl::ToChronoTime(std::min(absl::Now() + timeout_, deadline)));
    Response response;
    last = call(at, &context, &response);
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
      [&](size_t at, grpc::ClientContext* c, etcdserverpb::RangeResponse* r) {
        return stubs_[at]->Range(c, request, r);
      });
}

absl::StatusOr<etcdserverpb::TxnResponse> EtcdClient::Txn(
    const etcdserverpb::TxnRequest& request) {
  return Invoke<etcdserverpb::TxnResponse>(
      "txn", false,
      [&](size_t at, grpc::ClientContext* c, etcdserverpb::TxnResponse* r) {
        return stubs_[at]->Txn(c, request, r);
      });
}

absl::StatusOr<etcdserverpb::LeaseGrantResponse> EtcdClient::LeaseGrant(
    absl::Duration ttl) {
  etcdserverpb::LeaseGrantRequest request;
  request.set_ttl(std::max<int64_t>(1, absl::ToInt64Seconds(ttl)));
  DRIVE_ASSIGN_OR_RETURN(
      auto response, Invoke<etcdserverpb::LeaseGrantResponse>(
                         "lease grant", false,
                         [&](size_t at, grpc::ClientContext* c,
                             etcdserverpb::LeaseGrantResponse* r) {
                           return lease_stubs_[at]->LeaseGrant(c, request, r);
                         }));
  if (!response.error().empty()) {
    return absl::UnavailableError(
        absl::StrCat("etcd lease grant: ", response.error()));
  }
  return response;
}

absl::Status EtcdClient::LeaseRevoke(int64_t lease_id) {
  etcdserverpb::LeaseRevokeRequest request;
  request.set_id(lease_id);
  auto response = Invoke<etcdserverpb::LeaseRevokeResponse>(
      "lease revoke", true,
      [&](size_t at, grpc::ClientContext* c,
          etcdserverpb::LeaseRevokeResponse* r) {
        return lease_stubs_[at]->LeaseRevoke(c, request, r);
      });
  // etcd answers NOT_FOUND ("requested lease not found") for an expired one.
  if (absl::IsNotFound(response.status())) return absl::OkStatus();
  return response.status();
}

absl::StatusOr<absl::Duration> EtcdClient::KeepAliveOnce(int64_t lease_id,
                                                         absl::Time deadline) {
  etcdserverpb::LeaseKeepAliveRequest request;
  request.set_id(lease_id);
  DRIVE_ASSIGN_OR_RETURN(
      auto response, Invoke<etcdserverpb::LeaseKeepAliveResponse>(
                         "lease keep-alive", true,
                         [&](size_t at, grpc::ClientContext* c,
                             etcdserverpb::LeaseKeepAliveResponse* r) {
                           auto stream = lease_stubs_[at]->LeaseKeepAlive(c);
                           if (stream->Write(request) && stream->Read(r)) {
                             // One answer is all this call wants; end the
                             // stream without waiting for the server to close
                             // it.
                             c->TryCancel();
                             stream->Finish();  // CANCELLED, as asked
                             return grpc::Status::OK;
                           }
                           return stream->Finish();
                         },
                         deadline));
  if (response.ttl() <= 0) {
    return absl::NotFoundError(
        absl::StrCat("etcd lease ", lease_id, " has expired"));
  }
  return absl::Seconds(response.ttl());
}

}  // namespace drive::etcd
