#include "daemon/gateway/request_framing.h"

#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace drive::gateway {
namespace {

using ::drive::testing::StatusIs;

RequestFraming Te(std::vector<std::string_view> codings,
                  bool content_length = false, unsigned version = 11) {
  return RequestFraming{std::move(codings), content_length, version};
}

TEST(RequestFramingTest, ContentLengthOrChunkedAloneIsAccepted) {
  EXPECT_OK(CheckRequestFraming(Te({})));
  EXPECT_OK(CheckRequestFraming(Te({}, true)));
  EXPECT_OK(CheckRequestFraming(Te({}, true, 10)));
  EXPECT_OK(CheckRequestFraming(Te({"chunked"})));
  EXPECT_OK(CheckRequestFraming(Te({"Chunked"})));
  EXPECT_OK(CheckRequestFraming(Te({" chunked ,"})));
}

// Issue 10: the gateway took such a request as bodyless and its body as
// the next request.
TEST(RequestFramingTest, Issue10LastCodingOtherThanChunkedIsInvalidArgument) {
  for (auto codings :
       std::vector<std::vector<std::string_view>>{{"xchunked"},
                                                  {"chunked, gzip"},
                                                  {"chunked", "gzip"},
                                                  {"gzip"},
                                                  {"chunked;x=1"},
                                                  {"chunked, chunked"},
                                                  {""},
                                                  {" , "}}) {
    EXPECT_THAT(CheckRequestFraming(Te(codings)),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << codings[0];
  }
}

TEST(RequestFramingTest, Issue10TransferEncodingWithContentLengthIsInvalid) {
  EXPECT_THAT(CheckRequestFraming(Te({"chunked"}, true)),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RequestFramingTest, TransferEncodingInHttp10IsInvalidArgument) {
  EXPECT_THAT(CheckRequestFraming(Te({"chunked"}, false, 10)),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RequestFramingTest, OtherCodingsBeforeChunkedAreUnimplemented) {
  EXPECT_THAT(CheckRequestFraming(Te({"gzip, chunked"})),
              StatusIs(absl::StatusCode::kUnimplemented));
  EXPECT_THAT(CheckRequestFraming(Te({"gzip", "chunked"})),
              StatusIs(absl::StatusCode::kUnimplemented));
}

}  // namespace
}  // namespace drive::gateway
