#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace drive {

// Parses "1048576", "64KiB", "512MiB", "1GiB", "2TiB" (also KB/MB/GB/TB as
// powers of 1000). kInvalidArgument on anything else or on overflow.
absl::StatusOr<uint64_t> ParseByteSize(std::string_view text);

// "1.5 GiB"-style rendering for humans.
std::string FormatBytes(uint64_t bytes);

}  // namespace drive
