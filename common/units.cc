#include "common/units.h"

#include <cstdio>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace drive {

absl::StatusOr<uint64_t> ParseByteSize(std::string_view text) {
  std::string_view t = Std(absl::StripAsciiWhitespace(Sv(text)));
  size_t digits = 0;
  while (digits < t.size() && absl::ascii_isdigit(t[digits])) ++digits;
  uint64_t n = 0;
  if (digits == 0 || !absl::SimpleAtoi(Sv(t.substr(0, digits)), &n)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad size '", Sv(text), "'"));
  }
  std::string unit =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(Sv(t.substr(digits))));
  static const std::pair<const char*, uint64_t> kUnits[] = {
      {"", 1},
      {"b", 1},
      {"kib", 1ull << 10},
      {"mib", 1ull << 20},
      {"gib", 1ull << 30},
      {"tib", 1ull << 40},
      {"kb", 1000ull},
      {"mb", 1000000ull},
      {"gb", 1000000000ull},
      {"tb", 1000000000000ull}};
  for (const auto& [name, mult] : kUnits) {
    if (unit == name) {
      if (n != 0 && mult > UINT64_MAX / n) break;
      return n * mult;
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("bad size '", Sv(text),
                   "': use a number with an optional KiB/MiB/GiB/TiB"));
}

absl::StatusOr<absl::Duration> ParseDurationText(std::string_view text) {
  std::string t(absl::StripAsciiWhitespace(Sv(text)));
  absl::Duration d;
  if (!t.empty() && t.back() == 'd') {
    int64_t days = 0;
    if (absl::SimpleAtoi(t.substr(0, t.size() - 1), &days) && days >= 0) {
      return absl::Hours(24 * days);
    }
  } else if (absl::ParseDuration(t, &d) && d >= absl::ZeroDuration()) {
    return d;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "bad duration '", Sv(text), "': use e.g. 500ms, 10s, 10m, 2h or 7d"));
}

std::string FormatBytes(uint64_t bytes) {
  static const char* kNames[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes);
  int i = 0;
  while (v >= 1024 && i < 5) {
    v /= 1024;
    ++i;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), i == 0 ? "%.0f %s" : "%.1f %s", v, kNames[i]);
  return buf;
}

}  // namespace drive
