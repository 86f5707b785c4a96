// Fuzzes the conditional request headers (daemon/gateway/conditional.h):
// entity-tag lists, HTTP dates and the RFC 9110 §13.2.2 evaluation.
// Invariants: without conditions a request proceeds; a write never gets
// 304; a strong match is also a weak match; a formatted date parses back.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "common/status_macros.h"
#include "daemon/gateway/conditional.h"

namespace gw = drive::gateway;

namespace {

std::optional<std::string> MaybeHeader(FuzzedDataProvider& in) {
  if (!in.ConsumeBool()) return std::nullopt;
  return in.ConsumeRandomLengthString(256);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  // Seconds within years 1970..9999, where IMF-fixdate has four digits.
  const int64_t kMaxUnix = 253402300799;
  int64_t modified_s = in.ConsumeIntegralInRange<int64_t>(0, kMaxUnix);
  int64_t now_s = in.ConsumeIntegralInRange<int64_t>(0, kMaxUnix);
  gw::Validators v{"\"" + in.ConsumeRandomLengthString(64) + "\"",
                   absl::FromUnixSeconds(modified_s)};
  gw::Conditions c{MaybeHeader(in), MaybeHeader(in), MaybeHeader(in),
                   MaybeHeader(in)};
  std::optional<std::string> if_range = MaybeHeader(in);
  bool exists = in.ConsumeBool();
  std::string list = in.ConsumeRemainingBytesAsString();
  absl::Time now = absl::FromUnixSeconds(now_s);

  for (bool read : {true, false}) {
    gw::Precondition p =
        gw::EvaluatePreconditions(c, exists ? &v : nullptr, read, now);
    if (!read) DRIVE_CHECK(p != gw::Precondition::kNotModified);
    if (!exists && !c.if_match) {
      // Nothing to compare with: only If-Match can fail.
      DRIVE_CHECK(p == gw::Precondition::kProceed);
    }
  }
  DRIVE_CHECK(gw::EvaluatePreconditions(gw::Conditions{}, &v, true, now) ==
              gw::Precondition::kProceed);
  (void)gw::IfRangeAllows(if_range, v);
  DRIVE_CHECK(gw::IfRangeAllows(v.etag, v));

  bool strong = gw::EtagListMatches(list, v.etag, /*weak=*/false);
  bool weak = gw::EtagListMatches(list, v.etag, /*weak=*/true);
  if (strong) DRIVE_CHECK(weak);

  (void)gw::ParseHttpDate(list);
  std::string date = gw::FormatHttpDate(absl::FromUnixSeconds(now_s));
  std::optional<absl::Time> back = gw::ParseHttpDate(date);
  DRIVE_CHECK(back && *back == absl::FromUnixSeconds(now_s));
  DRIVE_CHECK(gw::IfRangeAllows(gw::FormatHttpDate(v.last_modified), v));
  return 0;
}
