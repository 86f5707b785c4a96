#include "common/timestamps.h"

#include <limits>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace drive {
namespace {

using ::drive::testing::StatusIs;

TEST(TimestampsTest, RangeIsYears1970To9999) {
  EXPECT_EQ(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ",
                             absl::FromUnixMillis(kMaxTimestampMs),
                             absl::UTCTimeZone()),
            "9999-12-31T23:59:59.999Z");
  EXPECT_OK(ValidateTimestampMs("mtime", kMinTimestampMs));
  EXPECT_OK(ValidateTimestampMs("mtime", 1'700'000'000'000));
  EXPECT_OK(ValidateTimestampMs("mtime", kMaxTimestampMs));
}

// Issue 10: INT64_MIN was stored and listed as the year -292275055.
TEST(TimestampsTest, Issue10OutOfRangeIsInvalidArgument) {
  for (int64_t ms :
       {std::numeric_limits<int64_t>::min(), int64_t{-1}, kMaxTimestampMs + 1,
        std::numeric_limits<int64_t>::max()}) {
    EXPECT_THAT(ValidateTimestampMs("mtime", ms),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << ms;
  }
}

}  // namespace
}  // namespace drive
