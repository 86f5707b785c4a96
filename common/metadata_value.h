#pragma once

// Values that Drive puts into gRPC metadata (tokens) or HTTP header fields.
// gRPC aborts the process when asked to send an ASCII metadata value with a
// byte outside 0x20..0x7E, so every value that can come from outside the
// process (a bearer token from an HTTP request, a token from a file or the
// environment) is checked here before it reaches a ClientContext.

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"

namespace drive {

// Longest metadata value Drive sends, bytes. Tokens are ~50 bytes; gRPC
// refuses whole metadata blocks above 8 KiB by default.
inline constexpr size_t kMaxMetadataValueBytes = 4096;

// True when every byte of `s` is printable ASCII (0x20..0x7E): no control
// character (tab, CR, LF, DEL), no byte >= 0x80. "" is printable.
bool IsPrintableAscii(std::string_view s);

// OK when `value` is a legal gRPC ASCII metadata value of at most
// kMaxMetadataValueBytes. kInvalidArgument otherwise, naming `what` ("bearer
// token") and the offset of the first bad byte, never the value itself
// (it is usually a secret).
absl::Status ValidateMetadataValue(std::string_view what,
                                   std::string_view value);

}  // namespace drive
