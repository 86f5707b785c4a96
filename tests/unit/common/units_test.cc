#include "common/units.h"

#include "common/names.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace drive {
namespace {

using ::drive::testing::StatusIs;

TEST(UnitsTest, ParsesBinaryAndDecimalSizes) {
  EXPECT_EQ(*ParseByteSize("1048576"), 1048576u);
  EXPECT_EQ(*ParseByteSize("64KiB"), 65536u);
  EXPECT_EQ(*ParseByteSize("1 GiB"), 1ull << 30);
  EXPECT_EQ(*ParseByteSize("2gb"), 2000000000u);
}

TEST(UnitsTest, RejectsGarbageAndOverflow) {
  EXPECT_THAT(ParseByteSize("lots"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseByteSize("5 parsecs"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseByteSize("99999999999TiB"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(UnitsTest, FormatsBytesForHumans) {
  EXPECT_EQ(FormatBytes(512), "512 B");
  EXPECT_EQ(FormatBytes(3ull << 30), "3.0 GiB");
}

TEST(AccountNameTest, AcceptsSimpleNamesAndRejectsHostileOnes) {
  EXPECT_OK(ValidateAccountName("studio-smith_2"));
  for (const char* bad : {"", "Studio", "-lead", "a/b", "..", "a b", "é"}) {
    EXPECT_THAT(ValidateAccountName(bad),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
  EXPECT_THAT(ValidateAccountName(std::string(64, 'a')),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace drive
