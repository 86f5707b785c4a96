#pragma once

// Unary calls to the cluster's coordinators, with failover. Every program
// that talks to a coordinator (the `drive` and `drive-admin` clients, fsck,
// the gateway through the client library, and nodes for registration and
// heartbeats) goes through this one class, so the address list syntax, the
// bearer token, deadlines and failover behave the same everywhere.

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "drive/v1/coordinator.grpc.pb.h"
#include "grpcpp/client_context.h"

namespace drive {

// One entry of a coordinator list.
struct CoordinatorAddress {
  std::string region;   // "" when the list did not say
  std::string address;  // host:port
  bool operator==(const CoordinatorAddress&) const = default;
};

// Parses a coordinator list: "ADDR[,ADDR...]", each ADDR "host:port" or
// "REGION=host:port" (spaces around entries are ignored). Errors:
// kInvalidArgument for an empty list or entry, an entry without a port, or
// the same address twice.
absl::StatusOr<std::vector<CoordinatorAddress>> ParseCoordinatorList(
    std::string_view list);

// The order in which a caller in `region` tries the coordinators: those
// known to be in `region` first, then the rest, each group in list order.
std::vector<CoordinatorAddress> PreferRegion(
    std::vector<CoordinatorAddress> addresses, std::string_view region);

struct CoordinatorClientOptions {
  // The coordinator list (see ParseCoordinatorList). Required.
  std::string coordinators;
  // The caller's region: coordinators there are tried first. Default: "".
  std::string region;
  // Sent as "authorization: Bearer TOKEN" when not empty. Must be a legal
  // metadata value (printable ASCII). Default: "".
  std::string token;
  // Deadline of one attempt at one coordinator. Default: 60 s.
  absl::Duration timeout = absl::Seconds(60);
  // Pause after a round in which every coordinator failed; doubles per
  // round up to 2 s. Default: 100 ms.
  absl::Duration backoff = absl::Milliseconds(100);
  // Rounds over the whole list before a call gives up, 1..10. Default: 3.
  int rounds = 3;
  // Largest response accepted, bytes. Default: 64 MiB.
  int max_receive_bytes = 64 << 20;
};

// Per-call overrides of CoordinatorClientOptions.
struct CoordinatorCallOptions {
  // Deadline of one attempt when positive. Default: options.timeout.
  absl::Duration timeout = absl::ZeroDuration();
  // Bearer token of this call instead of options.token (e.g. the gateway
  // checking a client's token). Default: options.token.
  std::optional<std::string_view> token;
};

// Calls go to the current coordinator. When it is unreachable (UNAVAILABLE)
// or does not answer within the attempt's deadline (DEADLINE_EXCEEDED),
// the call is retried on the next coordinator of the list, and after a
// round in which all failed and one was unreachable, again after a
// backoff, up to `rounds` rounds (a round of deadlines ends the call);
// the coordinator that answers becomes the current one for later calls.
// Every other status (including application errors) is returned at once.
//
// A retried call may have been applied by the coordinator that failed
// mid-call; Drive's coordinator calls are safe to repeat (reads,
// heartbeats, idempotent admin requests, and commits, whose repeat at
// worst puts an identical earlier version in the trash).
//
// Thread-safe.
class CoordinatorClient {
 public:
  using Stub = v1::CoordinatorService::Stub;
  // One attempt: make the call on `stub` with `ctx` (fresh per attempt,
  // token and deadline already set).
  using Attempt = std::function<grpc::Status(Stub*, grpc::ClientContext*)>;

  // Errors: kInvalidArgument for a bad list or token.
  static absl::StatusOr<std::unique_ptr<CoordinatorClient>> Create(
      CoordinatorClientOptions options);
  ~CoordinatorClient();

  using CallOptions = CoordinatorCallOptions;

  // Runs `attempt` with failover as described above. Blocks. A token with
  // a character gRPC metadata cannot carry is kUnauthenticated, and no call
  // is made.
  absl::Status Invoke(const Attempt& attempt,
                      const CallOptions& call = CallOptions());

  // One typed unary call, e.g. Call(&Stub::StatFile, req, &resp).
  template <typename Request, typename Response>
  absl::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                 const Request&, Response*),
                    const Request& req, Response* resp,
                    const CallOptions& call = CallOptions()) {
    return Invoke(
        [&](Stub* stub, grpc::ClientContext* ctx) {
          resp->Clear();
          return (stub->*method)(ctx, req, resp);
        },
        call);
  }

  // The address calls go to now.
  std::string current() const;
  // The coordinators in the order they are tried.
  const std::vector<CoordinatorAddress>& addresses() const {
    return addresses_;
  }

 private:
  CoordinatorClient(CoordinatorClientOptions options,
                    std::vector<CoordinatorAddress> addresses);

  const CoordinatorClientOptions options_;
  const std::vector<CoordinatorAddress> addresses_;
  std::vector<std::unique_ptr<Stub>> stubs_;  // by index in addresses_
  std::atomic<size_t> current_{0};
};

// Whether `code` means "try another coordinator".
bool IsCoordinatorFailover(grpc::StatusCode code);

}  // namespace drive
