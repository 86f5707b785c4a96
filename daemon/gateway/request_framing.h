#pragma once

// How a request head says where its body ends (RFC 9112 section 6), checked
// before any body byte is read. A head whose framing two parsers could read
// differently is refused, and the connection closed, so that bytes of a
// body are never taken for a request of their own (request smuggling).
// Pure function.

#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace drive::gateway {

struct RequestFraming {
  // Values of every Transfer-Encoding field, in order (empty: none).
  std::vector<std::string_view> transfer_encoding;
  // Whether a Content-Length field is present.
  bool has_content_length = false;
  // HTTP version times ten (10 for HTTP/1.0, 11 for HTTP/1.1).
  unsigned version = 11;
};

// OK for a head without Transfer-Encoding (Content-Length or no body) and
// for `Transfer-Encoding: chunked` alone. kInvalidArgument (400, close)
// when the codings do not end in `chunked` ("xchunked", "chunked, gzip"),
// name `chunked` twice or are empty, when Content-Length comes with
// Transfer-Encoding, or when an HTTP/1.0 request has Transfer-Encoding.
// kUnimplemented (501, close) for codings before the final `chunked`
// ("gzip, chunked"): the gateway decodes none.
absl::Status CheckRequestFraming(const RequestFraming& framing);

}  // namespace drive::gateway
