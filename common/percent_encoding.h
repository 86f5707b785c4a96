#pragma once

// Percent-encoding of Drive paths for URLs (RFC 3986), shared by the HTTP
// gateway (links it generates) and the CLI (requests it sends).

#include <string>
#include <string_view>

namespace drive {

// Every byte except unreserved characters (A-Z a-z 0-9 - . _ ~) and '/'
// becomes %XX (upper-case hex).
std::string PercentEncodePath(std::string_view path);
// The same for a query value: '/' is encoded too.
std::string PercentEncodeQueryValue(std::string_view value);

}  // namespace drive
