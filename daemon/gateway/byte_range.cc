#include "daemon/gateway/byte_range.h"

#include <limits>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace drive::gateway {
namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

// Optional whitespace around header parts (std::string_view in and out).
std::string_view TrimSpace(std::string_view s) {
  return Std(absl::StripAsciiWhitespace(Sv(s)));
}

// Decimal digits only (no sign, no space); saturates at 2^64-1, which is
// past the end of every representation. nullopt if empty or not digits.
std::optional<uint64_t> ParseDigits(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    v = v > (kMax - d) / 10 ? kMax : v * 10 + d;
  }
  return v;
}

}  // namespace

RangeRequest ParseRange(std::string_view header, uint64_t length) {
  RangeRequest whole;
  header = TrimSpace(header);
  size_t eq = header.find('=');
  if (eq == std::string_view::npos ||
      !absl::EqualsIgnoreCase(Sv(TrimSpace(header.substr(0, eq))), "bytes")) {
    return whole;
  }
  std::string_view spec = TrimSpace(header.substr(eq + 1));
  // Several ranges (multipart/byteranges) are not served; RFC 9110 lets a
  // server ignore the header and send the whole representation instead.
  if (spec.find(',') != std::string_view::npos) return whole;
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return whole;
  std::string_view first_text = TrimSpace(spec.substr(0, dash));
  std::string_view last_text = TrimSpace(spec.substr(dash + 1));

  RangeRequest out;
  if (first_text.empty()) {
    // Suffix range: the last N bytes.
    std::optional<uint64_t> n = ParseDigits(last_text);
    if (!n) return whole;
    if (*n == 0) {
      out.kind = RangeRequest::Kind::kUnsatisfiable;
      return out;
    }
    // Nothing to select in an empty representation; serve it whole, as
    // common servers do, rather than a 206 that cannot be expressed.
    if (length == 0) return whole;
    uint64_t take = std::min(*n, length);
    out.kind = RangeRequest::Kind::kPartial;
    out.range = {length - take, length - 1};
    return out;
  }
  std::optional<uint64_t> first = ParseDigits(first_text);
  if (!first) return whole;
  std::optional<uint64_t> last;
  if (!last_text.empty()) {
    last = ParseDigits(last_text);
    // An invalid range-spec (bad digits, last < first) invalidates the
    // header, which is then ignored (RFC 9110 §14.1.1).
    if (!last || *last < *first) return whole;
  }
  if (*first >= length) {
    out.kind = RangeRequest::Kind::kUnsatisfiable;
    return out;
  }
  out.kind = RangeRequest::Kind::kPartial;
  out.range = {*first, last ? std::min(*last, length - 1) : length - 1};
  return out;
}

std::string ContentRange(const ByteRange& range, uint64_t length) {
  return absl::StrCat("bytes ", range.first, "-", range.last, "/", length);
}

std::string UnsatisfiedContentRange(uint64_t length) {
  return absl::StrCat("bytes */", length);
}

}  // namespace drive::gateway
