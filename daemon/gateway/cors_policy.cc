#include "daemon/gateway/cors_policy.h"

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "common/names.h"
#include "common/strings.h"

namespace drive::gateway {
namespace {

bool ValidOrigin(std::string_view o) {
  if (o == "*") return true;
  size_t sep = o.find("://");
  if (sep == std::string_view::npos || sep == 0) return false;
  std::string_view host = o.substr(sep + 3);
  if (host.empty()) return false;
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' ||
              c == '[' || c == ']';
    if (!ok) return false;  // also refuses a path, query or trailing '/'
  }
  return true;
}

}  // namespace

absl::StatusOr<CorsPolicy> CorsPolicy::FromSpecs(
    const std::vector<std::string>& specs) {
  CorsPolicy p;
  for (const auto& spec : specs) {
    std::vector<std::string> parts =
        absl::StrSplit(spec, absl::MaxSplits('=', 1));
    if (parts.size() != 2 || !ValidateAccountName(parts[0]).ok()) {
      return absl::InvalidArgumentError(
          "--cors wants ACCOUNT=ORIGIN[,ORIGIN], got '" + spec + "'");
    }
    for (absl::string_view origin : absl::StrSplit(parts[1], ',')) {
      if (!ValidOrigin(Std(origin))) {
        return absl::InvalidArgumentError(
            "--cors: '" + std::string(origin) +
            "' is not an origin (scheme://host[:port], or *)");
      }
      p.origins_[parts[0]].insert(std::string(origin));
    }
  }
  return p;
}

bool CorsPolicy::Allows(std::string_view account,
                        std::string_view origin) const {
  auto it = origins_.find(account);
  if (it == origins_.end() || origin.empty()) return false;
  return it->second.count("*") > 0 || it->second.count(std::string(origin)) > 0;
}

}  // namespace drive::gateway
