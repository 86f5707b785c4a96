#include "common/grpc/status_convert.h"

#include <string>
#include <utility>

#include "common/status_util.h"

namespace drive {
namespace {

// The typed reason `s` carries, if any.
v1::StatusReason ReasonOf(const absl::Status& s) {
  return IsUploadAgain(s) ? v1::STATUS_REASON_UPLOAD_AGAIN
                          : v1::STATUS_REASON_UNSPECIFIED;
}

// `s` with the mark that `reason` stands for; unknown reasons add none.
absl::Status WithReason(absl::Status s, int reason) {
  switch (reason) {
    case v1::STATUS_REASON_UPLOAD_AGAIN:
      return MarkUploadAgain(std::move(s));
    default:
      return s;
  }
}

}  // namespace

absl::StatusCode StatusCodeFromWire(int code) {
  // kOk (0) .. kUnauthenticated (16) are every code Abseil and gRPC define.
  if (code < 0 || code > static_cast<int>(absl::StatusCode::kUnauthenticated))
    return absl::StatusCode::kUnknown;
  return static_cast<absl::StatusCode>(code);
}

void StatusToProto(const absl::Status& s, v1::Status* out) {
  out->Clear();
  if (s.ok()) return;
  out->set_code(static_cast<int>(s.code()));
  out->set_message(std::string(s.message()));
  out->set_reason(ReasonOf(s));
}

absl::Status StatusFromProto(const v1::Status& p) {
  absl::StatusCode code = StatusCodeFromWire(p.code());
  if (code == absl::StatusCode::kOk) return absl::OkStatus();
  return WithReason(absl::Status(code, p.message()), p.reason());
}

grpc::Status ToGrpcStatus(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  std::string details;
  if (ReasonOf(s) != v1::STATUS_REASON_UNSPECIFIED) {
    v1::Status p;
    StatusToProto(s, &p);
    details = p.SerializeAsString();
  }
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()),
                      std::string(s.message()), details);
}

absl::Status FromGrpcStatus(const grpc::Status& s) {
  absl::StatusCode code = StatusCodeFromWire(s.error_code());
  if (code == absl::StatusCode::kOk) return absl::OkStatus();
  absl::Status out(code, s.error_message());
  v1::Status p;
  if (!s.error_details().empty() && p.ParseFromString(s.error_details())) {
    out = WithReason(std::move(out), p.reason());
  }
  return out;
}

}  // namespace drive
