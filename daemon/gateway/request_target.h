#pragma once

// Request targets of the gateway: percent-decoding with the hostile-input
// rules (no encoded '/', no NUL, no '.'/'..' segment, strict escapes), the
// query string, and the route a target names. Pure functions; no I/O.

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace drive::gateway {

// A decoded origin-form target.
struct Target {
  // Decoded path, starting with '/', segments joined by the literal '/'
  // separators of the raw target (an encoded "%2F" is refused, so every
  // '/' here was a separator).
  std::string path;
  // Decoded query parameters; a parameter without '=' has value "".
  std::map<std::string, std::string> query;

  bool has(const std::string& key) const { return query.count(key) > 0; }
  // The value, or `fallback` when absent.
  std::string get(const std::string& key,
                  const std::string& fallback = "") const;
};

// Parses a raw request target ("/v1/demo/a%20b.jpg?v=..."); absolute-form
// ("http://host/...") is reduced to its path. kInvalidArgument, with a
// message fit for the client, for: a target not starting with '/', a
// malformed or NUL escape, an encoded slash or backslash in the path, a
// "." or ".." segment (also when encoded), a fragment, a repeated query
// parameter.
absl::StatusOr<Target> ParseTarget(std::string_view raw);

// What a target addresses.
struct Route {
  enum class Kind {
    kFile,     // /v1/{account}/{path}
    kListing,  // /v1/{account}/ or /v1/{account}/{prefix}/
    kGallery,  // /gallery/{account}/{prefix}
    kHealthz,  // /healthz
    kReadyz,   // /readyz
    kMetrics,  // /metrics
  };
  Kind kind = Kind::kFile;
  std::string account;
  // kFile: the file path (valid per ValidateFilePath). kListing/kGallery:
  // the prefix taken from the path ("" or a valid prefix).
  std::string path;
};

// The route of a decoded target. kNotFound for paths outside the API,
// kInvalidArgument for a bad account name, file path or prefix.
absl::StatusOr<Route> ParseRoute(const Target& target);

}  // namespace drive::gateway
