#include "common/grpc/peer_channels.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace drive {
namespace {

// Channels connect lazily, so these addresses are never dialled.
std::string Address(int i) { return "127.0.0.1:" + std::to_string(20000 + i); }

TEST(PeerChannelsTest, SameAddressReusesItsStub) {
  PeerChannels peers(4);
  auto a = peers.StubFor(Address(1));
  EXPECT_EQ(peers.StubFor(Address(1)), a);
  EXPECT_NE(peers.StubFor(Address(2)), a);
  EXPECT_EQ(peers.size(), 2u);
}

TEST(PeerChannelsTest, TableStaysBoundedWhateverAddressesAreAskedFor) {
  PeerChannels peers(8);
  for (int i = 0; i < 1000; ++i) peers.StubFor(Address(i));
  EXPECT_EQ(peers.size(), 8u);
}

TEST(PeerChannelsTest, LeastRecentlyUsedStubIsDroppedFirst) {
  PeerChannels peers(2);
  auto a = peers.StubFor(Address(1));
  auto b = peers.StubFor(Address(2));
  EXPECT_EQ(peers.StubFor(Address(1)), a);  // a is now the most recent
  peers.StubFor(Address(3));                // drops b
  EXPECT_EQ(peers.size(), 2u);
  EXPECT_EQ(peers.StubFor(Address(1)), a);
  EXPECT_NE(peers.StubFor(Address(2)), b);  // made anew
}

TEST(PeerChannelsTest, DroppedStubStaysUsableByItsHolder) {
  PeerChannels peers(1);
  auto a = peers.StubFor(Address(1));
  peers.StubFor(Address(2));  // drops a from the table
  EXPECT_EQ(peers.size(), 1u);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a.use_count(), 1);  // ours alone, and still alive
}

}  // namespace
}  // namespace drive
