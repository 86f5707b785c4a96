#include "common/chunk_id.h"

#include "common/placement_group.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace drive {
namespace {

using ::drive::testing::StatusIs;

TEST(ChunkIdTest, MatchesTheXxh3ReferenceValueOfTheEmptyInput) {
  // XXH3-128 of "" with seed 0, canonical form (from the xxHash test vectors).
  EXPECT_EQ(ChunkId::Of(std::string_view()).ToHex(),
            "99aa06d3014798d86001c324468d497f");
}

TEST(ChunkIdTest, StreamHasherEqualsOneShotHash) {
  std::string data = testing::RandomBytes(10'000'000, 42);
  StreamHasher h;
  for (size_t off = 0; off < data.size(); off += 1'234'567) {
    h.Update(std::string_view(data).substr(off, 1'234'567));
  }
  EXPECT_EQ(h.Digest(), ChunkId::Of(data));
}

TEST(ChunkIdTest, HexRoundTrips) {
  ChunkId id = ChunkId::Of("photo");
  ASSERT_OK_AND_ASSIGN(ChunkId back, ChunkId::FromHex(id.ToHex()));
  EXPECT_EQ(back, id);
}

TEST(ChunkIdTest, MalformedIdsAreInvalidArgument) {
  EXPECT_THAT(ChunkId::FromBytes("short"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ChunkId::FromHex("zz"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ChunkId::FromHex(std::string(32, 'g')),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PlacementGroupTest, PgDependsOnAccountAndStaysInRange) {
  ChunkId id = ChunkId::Of("same bytes");
  int differ = 0;
  for (int i = 0; i < 64; ++i) {
    uint32_t a = PgOf("studio-a" + std::to_string(i), id, 1024);
    uint32_t b = PgOf("studio-b" + std::to_string(i), id, 1024);
    EXPECT_LT(a, 1024u);
    differ += a != b;
  }
  EXPECT_GT(differ, 50);
  EXPECT_EQ(PgOf("studio", id, 1024), PgOf("studio", id, 1024));
}

}  // namespace
}  // namespace drive
