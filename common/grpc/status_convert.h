#pragma once

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace drive {

// The one place gRPC and Abseil statuses convert. The codes are the same
// numbers, so conversion keeps the code and the message.
grpc::Status ToGrpcStatus(const absl::Status& s);
absl::Status FromGrpcStatus(const grpc::Status& s);

}  // namespace drive
