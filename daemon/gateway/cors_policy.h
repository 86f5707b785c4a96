#pragma once

// Per-account CORS: which browser origins may read an account's responses
// (the studio's web app, e.g. "https://gallery.example.com"). Configured
// with `--cors ACCOUNT=ORIGIN[,ORIGIN...]` (repeatable). Immutable and
// thread-safe once built.

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace drive::gateway {

class CorsPolicy {
 public:
  CorsPolicy() = default;

  // Parses specs "ACCOUNT=ORIGIN[,ORIGIN...]"; repeated accounts merge.
  // ORIGIN is "scheme://host[:port]" (no path, no trailing '/') or "*"
  // (any origin). kInvalidArgument naming the bad spec otherwise.
  static absl::StatusOr<CorsPolicy> FromSpecs(
      const std::vector<std::string>& specs);

  // Whether a page from `origin` may read `account`'s responses.
  bool Allows(std::string_view account, std::string_view origin) const;
  bool empty() const { return origins_.empty(); }

 private:
  std::map<std::string, std::set<std::string>, std::less<>> origins_;
};

}  // namespace drive::gateway
