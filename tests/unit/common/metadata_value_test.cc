#include "common/metadata_value.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace drive {
namespace {

using ::drive::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetadataValueTest, PrintableAsciiTokensAreAccepted) {
  EXPECT_OK(ValidateMetadataValue("token", ""));
  EXPECT_OK(ValidateMetadataValue("token", "drv_0123456789abcdef"));
  EXPECT_OK(ValidateMetadataValue("token", "Bearer a b ~!\"#$%&'()*+,-./:;<"));
  EXPECT_OK(
      ValidateMetadataValue("token", std::string(kMaxMetadataValueBytes, 'x')));
}

// Issue 10: gRPC aborts the process on these instead of failing the call.
TEST(MetadataValueTest, Issue10ControlAndNonAsciiBytesAreInvalidArgument) {
  for (const std::string& value :
       {std::string("abc\tdef"), std::string("abc\x80"), std::string("\r\n"),
        std::string("a\0b", 3), std::string("\x7f"), std::string("caf\xc3\xa9"),
        std::string("\xff")}) {
    EXPECT_THAT(ValidateMetadataValue("bearer token", value),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << value;
    EXPECT_FALSE(IsPrintableAscii(value));
  }
}

TEST(MetadataValueTest, OverlongValueIsInvalidArgument) {
  EXPECT_THAT(ValidateMetadataValue(
                  "token", std::string(kMaxMetadataValueBytes + 1, 'x')),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(MetadataValueTest, MessageNamesTheOffsetButNotTheSecret) {
  absl::Status s = ValidateMetadataValue("bearer token", "secret\x01tail");
  EXPECT_THAT(s.message(), HasSubstr("bearer token"));
  EXPECT_THAT(s.message(), HasSubstr("offset 6"));
  EXPECT_THAT(s.message(), Not(HasSubstr("secret")));
}

}  // namespace
}  // namespace drive
