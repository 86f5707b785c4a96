#include "common/content_type.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace drive {
namespace {

using ::drive::testing::StatusIs;

TEST(ContentTypeTest, MediaTypesWithParametersAreAccepted) {
  for (const char* type :
       {"", "image/jpeg", "image/x-canon-cr3", "application/vnd.a+json",
        "text/plain; charset=utf-8", "text/plain;charset=UTF-8",
        "text/plain ; a=b;c=d", "text/plain;",
        "multipart/mixed; "
        "boundary=\"a b;c\\\"d\"",
        "text/plain; q=\"\""}) {
    EXPECT_OK(ValidateContentType(type)) << type;
  }
  EXPECT_OK(
      ValidateContentType(std::string(127, 'a') + "/" + std::string(127, 'b')));
}

// Issue 10: a stored type is written into response headers as it is.
TEST(ContentTypeTest, Issue10ControlBytesNonAsciiAndBadSyntaxAreRefused) {
  for (const std::string& type :
       {std::string("text/html\r\nContent-Security-Policy: none"),
        std::string("text/plain\nX: 1"), std::string("text/plain\r"),
        std::string("text/\tplain"), std::string("text/plain; a=\"b\tc\""),
        std::string("image/jp\x80g"), std::string("caf\xc3\xa9/latte"),
        std::string("text/plain\0", 11), std::string("jpeg"),
        std::string("image/"), std::string("/jpeg"), std::string("a/b/c"),
        std::string("text/plain x"), std::string("text/plain; charset"),
        std::string("text/plain; =x"), std::string("text/plain; a=\"b"),
        std::string("text/plain; a=\"b\\"), std::string("text /plain"),
        std::string(128, 'a') + "/" + std::string(127, 'b')}) {
    EXPECT_THAT(ValidateContentType(type),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << type;
  }
}

TEST(ContentTypeTest, ServableTypeFallsBackToOctetStream) {
  EXPECT_EQ(ServableContentType("image/jpeg"), "image/jpeg");
  EXPECT_EQ(ServableContentType("text/plain; charset=utf-8"),
            "text/plain; charset=utf-8");
  EXPECT_EQ(ServableContentType(""), "application/octet-stream");
  EXPECT_EQ(ServableContentType("text/html\r\nX-Evil: 1"),
            "application/octet-stream");
  EXPECT_EQ(ServableContentType("image/jp\x80g"), "application/octet-stream");
}

TEST(ContentTypeTest, GuessedTypesAreValid) {
  for (const char* path : {"a.jpg", "a.cr3", "a.xmp", "a.psd", "a", "a.txt"}) {
    EXPECT_OK(ValidateContentType(GuessContentType(path, ""))) << path;
  }
}

}  // namespace
}  // namespace drive
