#pragma once

// The HTTP face of errors: which status a domain error becomes and the
// JSON body every error response carries:
//   {"error": "not_found", "status": 404, "message": "no file samples/x.jpg"}
// Pure functions.

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace drive::gateway {

// kInvalidArgument 400, kUnauthenticated 401, kPermissionDenied 403,
// kNotFound 404, kAlreadyExists/kAborted 409 (a concurrent change),
// kOutOfRange 416, kFailedPrecondition/kUnavailable/kResourceExhausted 503
// (the cluster cannot take the request now: no quorum, no map, full),
// kDeadlineExceeded 504, kDataLoss 502 (no copy verified), kUnimplemented
// 501, else 500.
int HttpStatusFor(const absl::Status& s);

// Short snake_case name of an HTTP status ("not_found", "conflict", ...).
std::string_view ErrorName(int http_status);

// The JSON error body (with a trailing newline).
std::string ErrorJson(int http_status, std::string_view message);

}  // namespace drive::gateway
