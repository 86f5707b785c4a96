// Fuzzes the Range header parser (daemon/gateway/byte_range.h) against
// representation lengths from 0 to 2^64-1. Invariants: a partial range lies
// within the representation, an unsatisfiable one is answered for a
// well-formed header only, and Content-Range renders what was parsed.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>

#include "common/status_macros.h"
#include "daemon/gateway/byte_range.h"

using drive::gateway::ByteRange;
using drive::gateway::RangeRequest;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  // Small lengths hit the edges (empty file, one byte) most often.
  uint64_t length = in.ConsumeBool() ? in.ConsumeIntegralInRange<uint64_t>(0, 3)
                                     : in.ConsumeIntegral<uint64_t>();
  std::string header = in.ConsumeRemainingBytesAsString();

  RangeRequest r = drive::gateway::ParseRange(header, length);
  switch (r.kind) {
    case RangeRequest::Kind::kWhole:
      break;
    case RangeRequest::Kind::kPartial: {
      DRIVE_CHECK(length > 0);
      DRIVE_CHECK(r.range.first <= r.range.last);
      DRIVE_CHECK(r.range.last < length);
      DRIVE_CHECK(r.range.length() <= length);
      std::string cr = drive::gateway::ContentRange(r.range, length);
      DRIVE_CHECK(cr == "bytes " + std::to_string(r.range.first) + "-" +
                            std::to_string(r.range.last) + "/" +
                            std::to_string(length));
      // The header's own rendering of the served range selects it again.
      std::string again = "bytes=" + std::to_string(r.range.first) + "-" +
                          std::to_string(r.range.last);
      RangeRequest r2 = drive::gateway::ParseRange(again, length);
      DRIVE_CHECK(r2.kind == RangeRequest::Kind::kPartial);
      DRIVE_CHECK(r2.range == r.range);
      break;
    }
    case RangeRequest::Kind::kUnsatisfiable:
      DRIVE_CHECK(header.find('=') != std::string::npos);
      DRIVE_CHECK(drive::gateway::UnsatisfiedContentRange(length) ==
                  "bytes */" + std::to_string(length));
      break;
  }
  return 0;
}
