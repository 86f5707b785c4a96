#include "daemon/rpc/internal/replica_fanout.h"

#include <memory>
#include <string>
#include <vector>

#include "common/grpc/placement_map_convert.h"
#include "daemon/rpc/node_map.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace drive::rpc::internal {
namespace {

using ::drive::testing::StatusHas;
using ::drive::testing::StatusIs;
using drive::v1::ForwardTarget;
using drive::v1::PutChunkResponse;
using drive::v1::ReplicaAck;
using Targets = google::protobuf::RepeatedPtrField<ForwardTarget>;

// A map with drive d0 on nodes n1..n6 (n<i> at 127.0.0.1:700<i>).
std::shared_ptr<const PlacementMap> SixNodeMap() {
  drive::v1::PlacementMapInfo info;
  auto* map = &info;
  map->set_epoch(7);
  for (int i = 1; i <= 6; ++i) {
    auto* d = map->add_drives();
    d->set_id("n" + std::to_string(i) + "/d0");
    d->set_node("n" + std::to_string(i));
    d->set_address("127.0.0.1:700" + std::to_string(i));
    d->set_name("d0");
  }
  return std::make_shared<const PlacementMap>(PlacementMapFromProto(info));
}

// A forward target for drive d0 of node n<i>.
ForwardTarget Target(int i) {
  ForwardTarget t;
  t.set_drive_id("n" + std::to_string(i) + "/d0");
  t.set_address("127.0.0.1:700" + std::to_string(i));
  t.set_drive("d0");
  return t;
}

// What a writer sends the first node of a region: two local copies, and
// one to the other region that forwards to two more.
Targets WriterTree() {
  Targets forward;
  *forward.Add() = Target(2);
  *forward.Add() = Target(3);
  ForwardTarget remote = Target(4);
  *remote.add_forward() = Target(5);
  *remote.add_forward() = Target(6);
  *forward.Add() = remote;
  return forward;
}

ReplicaAck OkAck(const std::string& drive_id) {
  ReplicaAck a;
  a.set_drive_id(drive_id);
  a.mutable_status();  // code 0: stored
  return a;
}

std::vector<std::pair<std::string, int>> Acks(const PutChunkResponse& r) {
  std::vector<std::pair<std::string, int>> out;
  for (const auto& a : r.replicas())
    out.emplace_back(a.drive_id(), a.status().code());
  return out;
}

class ReplicaFanoutTest : public ::testing::Test {
 protected:
  void SetUp() override { map_.Update(SixNodeMap()); }
  NodeMapCache map_;
};

TEST_F(ReplicaFanoutTest, AcceptsAWriterTreeOfMappedDrives) {
  EXPECT_OK(ReplicaFanout::CheckTree(WriterTree(), &map_));
  EXPECT_OK(ReplicaFanout::CheckTree(Targets(), &map_));
}

TEST_F(ReplicaFanoutTest, RefusesATargetOutsideTheMap) {
  Targets forward = WriterTree();
  forward.Mutable(2)->mutable_forward(1)->set_address("10.9.9.9:7000");
  EXPECT_THAT(ReplicaFanout::CheckTree(forward, &map_),
              StatusHas(absl::StatusCode::kPermissionDenied,
                        "not a drive in placement map epoch 7"));
  // A drive id the map gives another drive is refused too.
  Targets wrong_id;
  *wrong_id.Add() = Target(2);
  wrong_id.Mutable(0)->set_drive_id("n3/d0");
  EXPECT_THAT(ReplicaFanout::CheckTree(wrong_id, &map_),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(ReplicaFanoutTest, WithoutAMapForwardsNowhere) {
  EXPECT_THAT(ReplicaFanout::CheckTree(WriterTree(), nullptr),
              StatusIs(absl::StatusCode::kPermissionDenied));
  NodeMapCache empty;  // not fetched yet: worth a refresh
  EXPECT_THAT(ReplicaFanout::CheckTree(WriterTree(), &empty),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(ReplicaFanoutTest, RefusesTreesTooDeepTooWideOrIncomplete) {
  Targets deep;
  ForwardTarget t = Target(2);
  ForwardTarget child = Target(3);
  *child.add_forward() = Target(4);
  *t.add_forward() = child;
  *deep.Add() = t;
  EXPECT_THAT(ReplicaFanout::CheckTree(deep, &map_),
              StatusHas(absl::StatusCode::kInvalidArgument, "too deep"));

  Targets wide;
  for (int i = 0; i < 9; ++i) *wide.Add() = Target(2);
  EXPECT_THAT(ReplicaFanout::CheckTree(wide, &map_),
              StatusHas(absl::StatusCode::kInvalidArgument, "too many"));

  Targets no_drive;
  *no_drive.Add() = Target(2);
  no_drive.Mutable(0)->clear_drive();
  EXPECT_THAT(ReplicaFanout::CheckTree(no_drive, &map_),
              StatusHas(absl::StatusCode::kInvalidArgument,
                        "without address or drive"));
}

TEST_F(ReplicaFanoutTest, MergesOwnAckFirstThenForwardsAsTheyAnswer) {
  Targets forward = WriterTree();
  ReplicaFanout fanout;
  fanout.AddPending(forward.size());
  fanout.AddForward(forward[1], std::vector<ReplicaAck>{OkAck("n3/d0")});
  EXPECT_EQ(fanout.pending(), 2);
  EXPECT_FALSE(fanout.own_done());
  fanout.AddOwn("n1/d0", absl::OkStatus());
  fanout.AddForward(
      forward[2],
      std::vector<ReplicaAck>{OkAck("n4/d0"), OkAck("n5/d0"), OkAck("n6/d0")});
  fanout.AddForward(forward[0], std::vector<ReplicaAck>{OkAck("n2/d0")});
  EXPECT_EQ(fanout.pending(), 0);
  EXPECT_TRUE(fanout.own_done());
  PutChunkResponse r;
  fanout.AppendTo(&r);
  EXPECT_THAT(Acks(r), ::testing::ElementsAre(
                           std::pair("n1/d0", 0), std::pair("n3/d0", 0),
                           std::pair("n4/d0", 0), std::pair("n5/d0", 0),
                           std::pair("n6/d0", 0), std::pair("n2/d0", 0)));
}

TEST_F(ReplicaFanoutTest, AFailedDownstreamIsNamedForEveryCopyItCovered) {
  Targets forward = WriterTree();
  ReplicaFanout fanout;
  fanout.AddPending(forward.size());
  fanout.AddOwn("n1/d0", absl::OkStatus());
  fanout.AddForward(forward[0], std::vector<ReplicaAck>{OkAck("n2/d0")});
  fanout.AddForward(forward[1], std::vector<ReplicaAck>{});  // no ack at all
  fanout.AddForward(forward[2], absl::UnavailableError("connection refused"));
  PutChunkResponse r;
  fanout.AppendTo(&r);
  constexpr int kUnavailable = static_cast<int>(absl::StatusCode::kUnavailable);
  constexpr int kInternal = static_cast<int>(absl::StatusCode::kInternal);
  EXPECT_THAT(
      Acks(r),
      ::testing::ElementsAre(
          std::pair("n1/d0", 0), std::pair("n2/d0", 0),
          std::pair("n3/d0", kInternal), std::pair("n4/d0", kUnavailable),
          std::pair("n5/d0", kUnavailable), std::pair("n6/d0", kUnavailable)));
  EXPECT_EQ(r.replicas(2).status().message(),
            "downstream sent no acknowledgement");
  EXPECT_EQ(r.replicas(5).status().message(), "connection refused");
}

TEST_F(ReplicaFanoutTest, AFailedOwnCopyIsReportedWithItsError) {
  ReplicaFanout fanout;
  fanout.AddOwn("n1/d0", absl::ResourceExhaustedError("below the reserve"));
  PutChunkResponse r;
  fanout.AppendTo(&r);
  ASSERT_EQ(r.replicas_size(), 1);
  EXPECT_EQ(r.replicas(0).status().code(),
            static_cast<int>(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(r.replicas(0).status().message(), "below the reserve");
}

}  // namespace
}  // namespace drive::rpc::internal
