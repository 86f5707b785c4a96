#include "common/grpc/coordinator_client.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace drive {
namespace {

using ::drive::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A coordinator that answers GetPlacementMap with its own epoch, or with a
// chosen error, and remembers the bearer token it saw.
class FakeCoordinator final : public v1::CoordinatorService::Service {
 public:
  explicit FakeCoordinator(uint64_t epoch) : epoch_(epoch) {
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                       &port_);
    b.RegisterService(this);
    server_ = b.BuildAndStart();
  }
  ~FakeCoordinator() override { server_->Shutdown(); }

  grpc::Status GetPlacementMap(grpc::ServerContext* ctx,
                               const v1::GetPlacementMapRequest*,
                               v1::PlacementMapInfo* resp) override {
    ++calls;
    auto it = ctx->client_metadata().find("authorization");
    if (it != ctx->client_metadata().end()) {
      last_auth = std::string(it->second.data(), it->second.size());
    }
    if (!fail_with.ok()) return fail_with;
    resp->set_epoch(epoch_);
    return grpc::Status::OK;
  }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

  std::atomic<int> calls{0};
  std::string last_auth;
  grpc::Status fail_with = grpc::Status::OK;

 private:
  uint64_t epoch_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

// A loopback address where nothing listens.
std::string DeadAddress() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return absl::StrCat("127.0.0.1:", ntohs(a.sin_port));
}

std::unique_ptr<CoordinatorClient> ClientFor(const std::string& list,
                                             std::string token = "t0k") {
  CoordinatorClientOptions o;
  o.coordinators = list;
  o.token = std::move(token);
  o.timeout = absl::Seconds(5);
  o.backoff = absl::Milliseconds(10);
  auto c = CoordinatorClient::Create(o);
  EXPECT_OK(c);
  return c.ok() ? std::move(*c) : nullptr;
}

absl::StatusOr<uint64_t> EpochVia(
    CoordinatorClient& c, const CoordinatorClient::CallOptions& call = {}) {
  v1::PlacementMapInfo info;
  absl::Status s = c.Call(&v1::CoordinatorService::Stub::GetPlacementMap,
                          v1::GetPlacementMapRequest(), &info, call);
  if (!s.ok()) return s;
  return info.epoch();
}

TEST(CoordinatorListTest, ParsesAddressesWithAndWithoutRegions) {
  ASSERT_OK_AND_ASSIGN(auto list,
                       ParseCoordinatorList("west=10.0.0.1:7000, b:7000"));
  EXPECT_THAT(list, ElementsAre(CoordinatorAddress{"west", "10.0.0.1:7000"},
                                CoordinatorAddress{"", "b:7000"}));
}

TEST(CoordinatorListTest, MalformedListsAreInvalidArgument) {
  for (const char* bad : {"", "a:1,", "a:1,,b:2", "nohostport", "a:", ":7000",
                          "=a:1", "a:1,a:1", "west=a:1,east=a:1"}) {
    EXPECT_THAT(ParseCoordinatorList(bad),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << "'" << bad << "'";
  }
}

TEST(CoordinatorListTest, CoordinatorsOfTheCallersRegionComeFirst) {
  ASSERT_OK_AND_ASSIGN(auto list,
                       ParseCoordinatorList("west=a:1,east=b:1,west=c:1,d:1"));
  std::vector<std::string> order;
  for (const auto& a : PreferRegion(list, "east")) order.push_back(a.address);
  EXPECT_THAT(order, ElementsAre("b:1", "a:1", "c:1", "d:1"));
}

TEST(CoordinatorClientTest, FailsOverWhenTheFirstCoordinatorIsUnreachable) {
  FakeCoordinator live(7);
  auto client = ClientFor(DeadAddress() + "," + live.address());
  ASSERT_OK_AND_ASSIGN(uint64_t epoch, EpochVia(*client));
  EXPECT_EQ(epoch, 7u);
  // The one that answered is used first from now on.
  EXPECT_EQ(client->current(), live.address());
  ASSERT_OK(EpochVia(*client));
  EXPECT_EQ(live.calls.load(), 2);
}

TEST(CoordinatorClientTest, MovesOnWhenTheCurrentCoordinatorStops) {
  auto first = std::make_unique<FakeCoordinator>(1);
  FakeCoordinator second(2);
  auto client = ClientFor(first->address() + "," + second.address());
  EXPECT_EQ(*EpochVia(*client), 1u);
  first.reset();  // its process died
  ASSERT_OK_AND_ASSIGN(uint64_t epoch, EpochVia(*client));
  EXPECT_EQ(epoch, 2u);
}

TEST(CoordinatorClientTest, AnApplicationErrorIsReturnedWithoutTryingOthers) {
  FakeCoordinator first(1), second(2);
  first.fail_with = grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "no");
  auto client = ClientFor(first.address() + "," + second.address());
  EXPECT_THAT(EpochVia(*client), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(second.calls.load(), 0);
}

TEST(CoordinatorClientTest, NoCoordinatorReachableIsUnavailableAfterRounds) {
  auto client = ClientFor(DeadAddress() + "," + DeadAddress());
  auto epoch = EpochVia(*client);
  EXPECT_THAT(epoch, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(epoch.status().message(), HasSubstr("no coordinator of 2"));
}

TEST(CoordinatorClientTest, SendsTheBearerTokenAndAPerCallOverride) {
  FakeCoordinator c(1);
  auto client = ClientFor(c.address(), "secret");
  ASSERT_OK(EpochVia(*client));
  EXPECT_EQ(c.last_auth, "Bearer secret");
  CoordinatorClient::CallOptions call;
  call.token = "other";
  ASSERT_OK(EpochVia(*client, call));
  EXPECT_EQ(c.last_auth, "Bearer other");
}

// gRPC aborts the process on an illegal metadata value; such a token must
// be refused before any call (a client's bearer token is hostile input).
TEST(CoordinatorClientTest, ATokenGrpcCannotCarryIsUnauthenticatedWithNoCall) {
  FakeCoordinator c(1);
  auto client = ClientFor(c.address());
  for (std::string bad : {std::string("abc\tdef"), std::string("abc\x80"),
                          std::string("a\r\nx-evil: 1")}) {
    CoordinatorClient::CallOptions call;
    call.token = bad;
    EXPECT_THAT(EpochVia(*client, call),
                StatusIs(absl::StatusCode::kUnauthenticated));
  }
  EXPECT_EQ(c.calls.load(), 0);
  CoordinatorClientOptions o;
  o.coordinators = c.address();
  o.token = "bad\x01";
  EXPECT_THAT(CoordinatorClient::Create(o),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace drive
