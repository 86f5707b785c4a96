#include "common/grpc/coordinator_client.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/grpc/metadata.h"
#include "common/grpc/status_convert.h"
#include "common/metadata_value.h"
#include "common/status_macros.h"
#include "common/status_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace drive {

absl::StatusOr<std::vector<CoordinatorAddress>> ParseCoordinatorList(
    std::string_view list) {
  std::vector<CoordinatorAddress> out;
  std::set<std::string> seen;
  for (absl::string_view raw :
       absl::StrSplit(absl::string_view(list.data(), list.size()), ',')) {
    std::string entry(absl::StripAsciiWhitespace(raw));
    if (entry.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "coordinator list '", std::string(list), "' has an empty entry"));
    }
    CoordinatorAddress a;
    if (size_t eq = entry.find('='); eq != std::string::npos) {
      a.region = entry.substr(0, eq);
      a.address = entry.substr(eq + 1);
      if (a.region.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "coordinator '", entry, "' has an empty region before '='"));
      }
    } else {
      a.address = entry;
    }
    size_t colon = a.address.rfind(':');
    if (colon == std::string::npos || colon == 0 ||
        colon + 1 == a.address.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "coordinator '", entry, "' is not HOST:PORT or REGION=HOST:PORT"));
    }
    if (!seen.insert(a.address).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("coordinator ", a.address, " is listed twice"));
    }
    out.push_back(std::move(a));
  }
  if (out.empty()) {
    return absl::InvalidArgumentError("the coordinator list is empty");
  }
  return out;
}

std::vector<CoordinatorAddress> PreferRegion(
    std::vector<CoordinatorAddress> addresses, std::string_view region) {
  if (region.empty()) return addresses;
  std::stable_partition(
      addresses.begin(), addresses.end(),
      [&](const CoordinatorAddress& a) { return a.region == region; });
  return addresses;
}

bool IsCoordinatorFailover(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE ||
         code == grpc::StatusCode::DEADLINE_EXCEEDED;
}

absl::StatusOr<std::unique_ptr<CoordinatorClient>> CoordinatorClient::Create(
    CoordinatorClientOptions options) {
  if (options.coordinators.empty()) {
    return absl::InvalidArgumentError(
        "no coordinator address (set DRIVE_COORDINATOR or --coordinator)");
  }
  auto parsed = ParseCoordinatorList(options.coordinators);
  if (!parsed.ok()) return parsed.status();
  DRIVE_RETURN_IF_ERROR(ValidateMetadataValue("token", options.token));
  options.rounds = std::clamp(options.rounds, 1, 10);
  std::vector<CoordinatorAddress> ordered =
      PreferRegion(std::move(*parsed), options.region);
  return std::unique_ptr<CoordinatorClient>(
      new CoordinatorClient(std::move(options), std::move(ordered)));
}

CoordinatorClient::CoordinatorClient(CoordinatorClientOptions options,
                                     std::vector<CoordinatorAddress> addresses)
    : options_(std::move(options)), addresses_(std::move(addresses)) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options_.max_receive_bytes);
  for (const auto& a : addresses_) {
    stubs_.push_back(v1::CoordinatorService::NewStub(grpc::CreateCustomChannel(
        a.address, grpc::InsecureChannelCredentials(), args)));
  }
}

CoordinatorClient::~CoordinatorClient() = default;

std::string CoordinatorClient::current() const {
  return addresses_[current_.load() % addresses_.size()].address;
}

absl::Status CoordinatorClient::Invoke(const Attempt& attempt,
                                       const CallOptions& call) {
  const absl::Duration timeout =
      call.timeout > absl::ZeroDuration() ? call.timeout : options_.timeout;
  const std::string_view token = call.token.value_or(options_.token);
  // A token that cannot travel as metadata is no token of ours; gRPC
  // would abort the process on it.
  if (absl::Status s = ValidateMetadataValue("bearer token", token); !s.ok()) {
    return absl::UnauthenticatedError(s.message());
  }
  const size_t n = addresses_.size();
  absl::Duration pause = options_.backoff;
  grpc::Status last;
  std::string last_address;
  for (int round = 0; round < options_.rounds; ++round) {
    if (round > 0) {
      absl::SleepFor(pause);
      pause = std::min(pause * 2, absl::Seconds(2));
    }
    const size_t start = current_.load();
    bool any_unavailable = false;
    for (size_t k = 0; k < n; ++k) {
      const size_t i = (start + k) % n;
      grpc::ClientContext ctx;
      if (!token.empty()) {
        ctx.AddMetadata(kAuthorizationKey, "Bearer " + std::string(token));
      }
      ctx.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(timeout));
      last = attempt(stubs_[i].get(), &ctx);
      last_address = addresses_[i].address;
      if (!IsCoordinatorFailover(last.error_code())) {
        current_.store(i);
        return FromGrpcStatus(last);
      }
      any_unavailable |= last.error_code() == grpc::StatusCode::UNAVAILABLE;
    }
    // Coordinators that took a whole deadline each are not asked again: a
    // caller should not wait `rounds` deadlines.
    if (!any_unavailable) break;
  }
  return n == 1 ? Annotate(FromGrpcStatus(last), "coordinator ", last_address)
                : Annotate(FromGrpcStatus(last), "no coordinator of ", n,
                           " answered; last, ", last_address);
}

}  // namespace drive
