#pragma once

#include "absl/status/status.h"
#include "drive/v1/common.pb.h"
#include "grpcpp/support/status.h"

namespace drive {

// The one place statuses cross the wire. Abseil's and gRPC's codes are the
// same numbers, so every conversion keeps the code and the message; the
// typed reasons (today: the upload-again mark, common/status_util.h) travel
// as drive.v1.StatusReason.

// The Abseil code for a code read off the wire; a number that is no code
// (negative, or one this build does not know) reads as kUnknown.
absl::StatusCode StatusCodeFromWire(int code);

// Per-item outcomes in RPC responses (drive.v1.Status). OK becomes code 0
// with an empty message. `out` must not be null.
void StatusToProto(const absl::Status& s, v1::Status* out);
// Code 0 reads as OK whatever the message; an unknown reason is ignored.
absl::Status StatusFromProto(const v1::Status& p);

// Whole-call outcomes. A status with a typed reason also carries its
// drive.v1.Status, serialized, as the gRPC error details
// (`grpc-status-details-bin`); FromGrpcStatus reads the reason back from
// there and ignores details it cannot parse.
grpc::Status ToGrpcStatus(const absl::Status& s);
absl::Status FromGrpcStatus(const grpc::Status& s);

}  // namespace drive
