#pragma once

// Single byte ranges of HTTP Range requests (RFC 9110 §14): parsing a
// `Range` header against a representation's length and rendering
// `Content-Range`. Pure functions; no I/O.

#include <cstdint>
#include <string>
#include <string_view>

namespace drive::gateway {

// An inclusive byte range [first, last] within a representation.
struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;
  uint64_t length() const { return last - first + 1; }
  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

// What a Range header asks of a representation of a given length.
struct RangeRequest {
  enum class Kind {
    // No usable Range header: serve the whole representation (200). Also
    // for headers this server ignores as RFC 9110 permits: another unit,
    // bad syntax, several ranges, or a suffix range of an empty file.
    kWhole,
    // One satisfiable range (206 with Content-Range).
    kPartial,
    // A well-formed range that selects no byte (416, Content-Range */len).
    kUnsatisfiable,
  };
  Kind kind = Kind::kWhole;
  ByteRange range;  // for kPartial: clamped to the representation
};

// Parses `header` ("bytes=0-99", "bytes=100-", "bytes=-500"; optional
// whitespace around the spec) for a representation of `length` bytes.
// `a-b` with b past the end is clamped; `a-`/`a-b` with a >= length and
// `-0` are unsatisfiable. Numbers too large for 64 bits count as "past the
// end". Never fails: what cannot be parsed is ignored (kWhole).
RangeRequest ParseRange(std::string_view header, uint64_t length);

// "bytes FIRST-LAST/LENGTH" for a 206 response.
std::string ContentRange(const ByteRange& range, uint64_t length);
// "bytes */LENGTH" for a 416 response.
std::string UnsatisfiedContentRange(uint64_t length);

}  // namespace drive::gateway
