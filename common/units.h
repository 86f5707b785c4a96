#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace drive {

// Parses "1048576", "64KiB", "512MiB", "1GiB", "2TiB" (also KB/MB/GB/TB as
// powers of 1000). kInvalidArgument on anything else or on overflow.
absl::StatusOr<uint64_t> ParseByteSize(std::string_view text);

// Parses "250ms", "10s", "10m", "2h", "7d" (and Abseil forms like "1h30m").
// kInvalidArgument otherwise or when negative.
absl::StatusOr<absl::Duration> ParseDurationText(std::string_view text);

// "1.5 GiB"-style rendering for humans.
std::string FormatBytes(uint64_t bytes);

}  // namespace drive
