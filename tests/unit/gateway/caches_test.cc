// ChunkCache, TtlCache and ByteBudget: the gateway's bounded memory.

#include <memory>
#include <string>
#include <vector>

#include "daemon/gateway/byte_budget.h"
#include "daemon/gateway/chunk_cache.h"
#include "daemon/gateway/single_flight.h"
#include "daemon/gateway/ttl_cache.h"
#include "gtest/gtest.h"
#include "tests/support/fake_env.h"

namespace drive::gateway {
namespace {

ChunkCache::Value Bytes(size_t n, char c) {
  return std::make_shared<const std::string>(n, c);
}

TEST(ChunkCacheTest, HitReturnsTheSameBytes) {
  ChunkCache cache(1000);
  auto v = Bytes(100, 'a');
  ChunkId id = ChunkId::Of(*v);
  cache.Insert("demo", id, v);
  EXPECT_EQ(cache.Lookup("demo", id), v);
  EXPECT_EQ(cache.hits(), 1u);
}

TEST(ChunkCacheTest, AccountsDoNotShareEntries) {
  ChunkCache cache(1000);
  auto v = Bytes(100, 'a');
  ChunkId id = ChunkId::Of(*v);
  cache.Insert("demo", id, v);
  EXPECT_EQ(cache.Lookup("other", id), nullptr);
}

TEST(ChunkCacheTest, LeastRecentlyUsedIsEvictedFirst) {
  ChunkCache cache(300);
  std::vector<ChunkId> ids;
  for (char c : {'a', 'b', 'c'}) {
    auto v = Bytes(100, c);
    ids.push_back(ChunkId::Of(*v));
    cache.Insert("demo", ids.back(), v);
  }
  ASSERT_NE(cache.Lookup("demo", ids[0]), nullptr);  // a is now recent
  auto d = Bytes(100, 'd');
  cache.Insert("demo", ChunkId::Of(*d), d);
  EXPECT_EQ(cache.Lookup("demo", ids[1]), nullptr);  // b went
  EXPECT_NE(cache.Lookup("demo", ids[0]), nullptr);
  EXPECT_LE(cache.bytes(), 300u);
}

TEST(ChunkCacheTest, ZeroCapacityCachesNothing) {
  ChunkCache cache(0);
  auto v = Bytes(10, 'a');
  cache.Insert("demo", ChunkId::Of(*v), v);
  EXPECT_EQ(cache.Lookup("demo", ChunkId::Of(*v)), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(ChunkCacheTest, ChunkLargerThanTheCapacityIsNotCached) {
  ChunkCache cache(50);
  auto v = Bytes(100, 'a');
  cache.Insert("demo", ChunkId::Of(*v), v);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(TtlCacheTest, EntriesExpireAfterTheirTtl) {
  testing::FakeEnv env;
  TtlCache<int> cache(&env, 10);
  cache.Insert("a", 1, absl::Seconds(2));
  EXPECT_EQ(cache.Lookup("a"), 1);
  env.AdvanceSeconds(1);
  EXPECT_EQ(cache.Lookup("a"), 1);
  env.AdvanceSeconds(1);
  EXPECT_EQ(cache.Lookup("a"), std::nullopt);
}

TEST(TtlCacheTest, OldestInsertionGoesWhenFull) {
  testing::FakeEnv env;
  TtlCache<int> cache(&env, 2);
  cache.Insert("a", 1, absl::Seconds(10));
  cache.Insert("b", 2, absl::Seconds(10));
  cache.Insert("c", 3, absl::Seconds(10));
  EXPECT_EQ(cache.Lookup("a"), std::nullopt);
  EXPECT_EQ(cache.Lookup("c"), 3);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(TtlCacheTest, EraseAndZeroTtl) {
  testing::FakeEnv env;
  TtlCache<int> cache(&env, 2);
  cache.Insert("a", 1, absl::Seconds(10));
  cache.Erase("a");
  EXPECT_EQ(cache.Lookup("a"), std::nullopt);
  cache.Insert("b", 2, absl::ZeroDuration());
  EXPECT_EQ(cache.Lookup("b"), std::nullopt);
}

TEST(ByteBudgetTest, GrantsAtOnceWithinCapacity) {
  ByteBudget budget(100);
  int granted = 0;
  budget.Acquire(60, [&] { ++granted; });
  budget.Acquire(40, [&] { ++granted; });
  EXPECT_EQ(granted, 2);
  EXPECT_EQ(budget.in_use(), 100u);
}

TEST(ByteBudgetTest, WaitersAreGrantedInOrderOnRelease) {
  ByteBudget budget(100);
  std::vector<int> order;
  budget.Acquire(80, [&] { order.push_back(1); });
  budget.Acquire(50, [&] { order.push_back(2); });
  budget.Acquire(10, [&] { order.push_back(3); });  // fits, but waits its turn
  EXPECT_EQ(order, (std::vector<int>{1}));
  EXPECT_EQ(budget.waiting(), 2u);
  budget.Release(80);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(budget.in_use(), 60u);
}

TEST(ByteBudgetTest, OversizeRequestIsClampedSoItCanRun) {
  ByteBudget budget(100);
  bool granted = false;
  budget.Acquire(1000, [&] { granted = true; });
  EXPECT_TRUE(granted);
  budget.Release(1000);
  EXPECT_EQ(budget.in_use(), 0u);
}

TEST(SingleFlightTest, ConcurrentCallersShareOneFetch) {
  SingleFlight<int> flights;
  std::vector<int> got;
  EXPECT_TRUE(flights.Join("k", [&](const int& v) { got.push_back(v); }));
  EXPECT_FALSE(flights.Join("k", [&](const int& v) { got.push_back(v + 1); }));
  EXPECT_TRUE(flights.Join("other", [](const int&) {}));
  EXPECT_EQ(flights.in_flight(), 2u);
  flights.Finish("k", 10);
  EXPECT_EQ(got, (std::vector<int>{10, 11}));
  // The next caller fetches afresh.
  EXPECT_TRUE(flights.Join("k", [](const int&) {}));
}

}  // namespace
}  // namespace drive::gateway
