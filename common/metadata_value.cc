#include "common/metadata_value.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace drive {
namespace {

bool Printable(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x20 && u <= 0x7E;
}

}  // namespace

bool IsPrintableAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), Printable);
}

absl::Status ValidateMetadataValue(std::string_view what,
                                   std::string_view value) {
  if (value.size() > kMaxMetadataValueBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(what), " is longer than ", kMaxMetadataValueBytes,
                     " bytes (", value.size(), ")"));
  }
  auto bad = std::find_if_not(value.begin(), value.end(), Printable);
  if (bad != value.end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        Sv(what), " has a byte outside printable ASCII (0x",
        absl::Hex(static_cast<unsigned char>(*bad), absl::kZeroPad2),
        ") at offset ", bad - value.begin()));
  }
  return absl::OkStatus();
}

}  // namespace drive
