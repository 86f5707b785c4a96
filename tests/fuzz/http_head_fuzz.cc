// Fuzzes request-head parsing as the gateway's Connection configures it:
// Beast's request_parser<buffer_body> with the default ConnectionLimits,
// then the target checks of target_checks.h on every head that passes the
// limits. Invariants: a head parses the same whether the bytes arrive at
// once or in small pieces (as TCP may deliver them); a parsed head carries
// no CR, LF or NUL in any field value (the gateway echoes some, e.g.
// Origin, into response headers); a head never parses past the header
// limit. A malformed head may be refused at once or only once its end
// arrives, depending on the pieces (Beast looks for the end of a head it
// received in parts before parsing it); both end the connection.
//
// Transfer-Encoding and Content-Length framing decisions are made by
// Connection after this point and are covered by the gateway's integration
// tests, not here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "boost/beast/http.hpp"
#include "common/status_macros.h"
#include "daemon/gateway/connection.h"
#include "tests/fuzz/target_checks.h"

namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;

struct Outcome {
  beast::error_code ec;  // need_more is reported as no error and no head
  std::optional<http::request_header<>> head;
  size_t consumed = 0;
};

// Feeds `bytes` to a fresh parser in pieces of up to `step` bytes, growing
// the unconsumed window as a socket read would.
Outcome Parse(std::string_view bytes, size_t step) {
  const drive::gateway::ConnectionLimits limits;
  http::request_parser<http::buffer_body> parser;
  parser.header_limit(static_cast<uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
  Outcome out;
  size_t avail = 0;
  while (true) {
    if (avail == out.consumed) {
      if (avail == bytes.size()) return out;  // the client stopped sending
      avail = std::min(bytes.size(), avail + step);
    }
    size_t n = parser.put(
        boost::asio::buffer(bytes.data() + out.consumed, avail - out.consumed),
        out.ec);
    out.consumed += n;
    if (out.ec == http::error::need_more) {
      out.ec = {};
      if (avail == bytes.size()) return out;
      avail = std::min(bytes.size(), avail + step);
      continue;
    }
    if (out.ec) return out;
    if (parser.is_header_done()) {
      out.head = parser.get().base();
      return out;
    }
  }
}

bool SameHead(const http::request_header<>& a,
              const http::request_header<>& b) {
  if (a.method_string() != b.method_string() || a.target() != b.target() ||
      a.version() != b.version()) {
    return false;
  }
  auto ia = a.begin(), ib = b.begin();
  for (; ia != a.end() && ib != b.end(); ++ia, ++ib) {
    if (ia->name_string() != ib->name_string() || ia->value() != ib->value()) {
      return false;
    }
  }
  return ia == a.end() && ib == b.end();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const drive::gateway::ConnectionLimits limits;

  Outcome whole = Parse(bytes, bytes.size() + 1);
  Outcome pieces = Parse(bytes, 7);
  DRIVE_CHECK(whole.head.has_value() == pieces.head.has_value());
  if (!whole.head) return 0;
  DRIVE_CHECK(SameHead(*whole.head, *pieces.head));
  DRIVE_CHECK(whole.consumed == pieces.consumed);
  DRIVE_CHECK(whole.consumed <= limits.max_header_bytes);

  for (const auto& field : *whole.head) {
    std::string_view value(field.value().data(), field.value().size());
    DRIVE_CHECK(value.find_first_of(std::string_view("\r\n\0", 3)) ==
                std::string_view::npos);
    DRIVE_CHECK(!field.name_string().empty());
  }
  // Connection answers 414 above the target limit without parsing it.
  std::string_view target(whole.head->target().data(),
                          whole.head->target().size());
  if (target.size() <= limits.max_target_bytes) {
    drive::fuzz::CheckRequestTarget(target);
  }
  return 0;
}
