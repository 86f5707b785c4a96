#include "daemon/gateway/request_framing.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"

namespace drive::gateway {

absl::Status CheckRequestFraming(const RequestFraming& framing) {
  if (framing.transfer_encoding.empty()) return absl::OkStatus();
  if (framing.version < 11) {
    return absl::InvalidArgumentError(
        "Transfer-Encoding in an HTTP/1.0 request");
  }
  if (framing.has_content_length) {
    return absl::InvalidArgumentError(
        "both Transfer-Encoding and Content-Length: the body's end is "
        "ambiguous");
  }
  // Codings of all fields as one list; empty list elements do not count.
  std::vector<std::string> codings;
  for (std::string_view field : framing.transfer_encoding) {
    for (absl::string_view c : absl::StrSplit(Sv(field), ',')) {
      c = absl::StripAsciiWhitespace(c);
      if (!c.empty()) codings.emplace_back(c);
    }
  }
  if (codings.empty()) {
    return absl::InvalidArgumentError("Transfer-Encoding names no coding");
  }
  size_t chunked = 0;
  for (const std::string& c : codings) {
    if (absl::EqualsIgnoreCase(c, "chunked")) ++chunked;
  }
  if (!absl::EqualsIgnoreCase(codings.back(), "chunked")) {
    return absl::InvalidArgumentError(
        "the last Transfer-Encoding coding must be chunked (RFC 9112 6.3)");
  }
  if (chunked > 1) {
    return absl::InvalidArgumentError("Transfer-Encoding names chunked twice");
  }
  if (codings.size() > 1) {
    return absl::UnimplementedError(
        "transfer codings other than chunked are not supported");
  }
  return absl::OkStatus();
}

}  // namespace drive::gateway
