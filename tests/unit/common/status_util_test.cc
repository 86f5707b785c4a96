#include "common/status_util.h"

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace drive {
namespace {

TEST(UploadAgainTest, OnlyMarkedErrorsAreUploadAgain) {
  absl::Status plain = absl::AbortedError(
      absl::StrCat("a.jpg was garbage-collected; ", kUploadAgain));
  EXPECT_FALSE(IsUploadAgain(plain));
  absl::Status marked = MarkUploadAgain(plain);
  EXPECT_TRUE(IsUploadAgain(marked));
  EXPECT_EQ(marked.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(marked.message(), plain.message());
}

TEST(UploadAgainTest, OkIsNeverMarked) {
  absl::Status s = MarkUploadAgain(absl::OkStatus());
  EXPECT_TRUE(s.ok());
  EXPECT_FALSE(IsUploadAgain(s));
}

TEST(AnnotateTest, PrefixesTheMessageAndKeepsCodeAndMark) {
  absl::Status s = Annotate(MarkUploadAgain(absl::AbortedError("collected")),
                            "coordinator ", "10.0.0.1:7000");
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(s.message(), "coordinator 10.0.0.1:7000: collected");
  EXPECT_TRUE(IsUploadAgain(s));
  EXPECT_TRUE(Annotate(absl::OkStatus(), "context").ok());
}

}  // namespace
}  // namespace drive
