#include "common/grpc/status_convert.h"

#include <string>

#include "absl/status/status.h"
#include "common/status_util.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace drive {
namespace {

using ::drive::testing::StatusHas;

absl::Status RoundTrip(const absl::Status& s) {
  v1::Status p;
  StatusToProto(s, &p);
  // Through the bytes, as a peer reads them.
  v1::Status read;
  EXPECT_TRUE(read.ParseFromString(p.SerializeAsString()));
  return StatusFromProto(read);
}

TEST(StatusConvertTest, CodeAndMessageSurviveTheProtoRoundTrip) {
  absl::Status s = absl::DataLossError("chunk 00ff does not match its id");
  absl::Status back = RoundTrip(s);
  EXPECT_EQ(back, s);
  EXPECT_FALSE(IsUploadAgain(back));
}

TEST(StatusConvertTest, EveryCodeSurvivesTheProtoRoundTrip) {
  for (int c = 1; c <= 16; ++c) {
    absl::Status s(static_cast<absl::StatusCode>(c), "why");
    EXPECT_EQ(RoundTrip(s), s) << c;
  }
}

TEST(StatusConvertTest, OkIsCodeZeroWithNoMessage) {
  v1::Status p;
  p.set_message("stale");
  StatusToProto(absl::OkStatus(), &p);
  EXPECT_EQ(p.code(), 0);
  EXPECT_TRUE(p.message().empty());
  EXPECT_EQ(p.reason(), v1::STATUS_REASON_UNSPECIFIED);
  // Code 0 is OK whatever else a peer sent.
  p.set_message("ignored");
  p.set_reason(v1::STATUS_REASON_UPLOAD_AGAIN);
  EXPECT_TRUE(StatusFromProto(p).ok());
}

TEST(StatusConvertTest, UploadAgainSurvivesTheProtoRoundTrip) {
  absl::Status s =
      MarkUploadAgain(absl::AbortedError("a.jpg: chunk 0 was collected"));
  v1::Status p;
  StatusToProto(s, &p);
  EXPECT_EQ(p.reason(), v1::STATUS_REASON_UPLOAD_AGAIN);
  absl::Status back = RoundTrip(s);
  EXPECT_THAT(back, StatusHas(absl::StatusCode::kAborted, "chunk 0"));
  EXPECT_TRUE(IsUploadAgain(back));
}

TEST(StatusConvertTest, UnknownCodesReadAsUnknown) {
  for (int code : {-1, 17, 99, 1 << 30}) {
    v1::Status p;
    p.set_code(code);
    p.set_message("from a newer peer");
    EXPECT_THAT(StatusFromProto(p),
                StatusHas(absl::StatusCode::kUnknown, "from a newer peer"))
        << code;
    EXPECT_EQ(StatusCodeFromWire(code), absl::StatusCode::kUnknown) << code;
  }
  EXPECT_EQ(StatusCodeFromWire(16), absl::StatusCode::kUnauthenticated);
}

TEST(StatusConvertTest, UnknownReasonsAreIgnored) {
  v1::Status p;
  p.set_code(static_cast<int>(absl::StatusCode::kAborted));
  p.set_message("m");
  p.set_reason(static_cast<v1::StatusReason>(42));
  absl::Status s = StatusFromProto(p);
  EXPECT_EQ(s, absl::AbortedError("m"));
  EXPECT_FALSE(IsUploadAgain(s));
}

TEST(StatusConvertTest, UploadAgainCrossesGrpcInTheErrorDetails) {
  absl::Status s = MarkUploadAgain(absl::AbortedError("upload again"));
  grpc::Status g = ToGrpcStatus(s);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(g.error_message(), "upload again");
  EXPECT_FALSE(g.error_details().empty());
  absl::Status back = FromGrpcStatus(g);
  EXPECT_EQ(back.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(back.message(), "upload again");
  EXPECT_TRUE(IsUploadAgain(back));
}

TEST(StatusConvertTest, PlainErrorsCrossGrpcWithoutDetails) {
  grpc::Status g = ToGrpcStatus(absl::NotFoundError("no such file"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(g.error_message(), "no such file");
  EXPECT_TRUE(g.error_details().empty());
  EXPECT_EQ(FromGrpcStatus(g), absl::NotFoundError("no such file"));
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

TEST(StatusConvertTest, TheTextAloneIsNoUploadAgainSignal) {
  grpc::Status g(grpc::StatusCode::ABORTED,
                 "x.jpg: chunk 0 was garbage-collected; upload again");
  absl::Status s = FromGrpcStatus(g);
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_FALSE(IsUploadAgain(s));
}

TEST(StatusConvertTest, UnparsableDetailsKeepCodeAndMessage) {
  grpc::Status g(grpc::StatusCode::ABORTED, "m", std::string("\xff\xff", 2));
  absl::Status s = FromGrpcStatus(g);
  EXPECT_EQ(s, absl::AbortedError("m"));
  EXPECT_FALSE(IsUploadAgain(s));
}

TEST(StatusConvertTest, UnknownGrpcCodesReadAsUnknown) {
  // 20: unknown to gRPC and to absl, yet a value grpc::StatusCode can hold
  // (its values span -1..16, so -32..31 are representable; a larger cast
  // would be undefined behaviour in the test itself).
  grpc::Status g(static_cast<grpc::StatusCode>(20), "m");
  EXPECT_EQ(FromGrpcStatus(g), absl::UnknownError("m"));
}

}  // namespace
}  // namespace drive
