#include "daemon/gateway/request_target.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/file_path.h"
#include "common/names.h"
#include "common/strings.h"

namespace drive::gateway {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes. In a path segment an encoded '/' or '\' would let a
// client smuggle separators past routing, so both are refused there.
absl::StatusOr<std::string> Decode(std::string_view s, bool path_segment) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\0') return absl::InvalidArgumentError("NUL in request target");
    if (c != '%') {
      out.push_back(c);
      continue;
    }
    int hi = i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
    int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return absl::InvalidArgumentError(
          "malformed percent-escape in request target");
    }
    char d = static_cast<char>(hi * 16 + lo);
    if (d == '\0') {
      return absl::InvalidArgumentError("encoded NUL in request target");
    }
    if (path_segment && (d == '/' || d == '\\')) {
      return absl::InvalidArgumentError(
          "encoded slash or backslash in the path");
    }
    out.push_back(d);
    i += 2;
  }
  return out;
}

// Splits on `sep`, keeping empty pieces (std::string_view in and out;
// Debian's Abseil splitter only takes its own string_view).
std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    size_t at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

}  // namespace

std::string Target::get(const std::string& key,
                        const std::string& fallback) const {
  auto it = query.find(key);
  return it == query.end() ? fallback : it->second;
}

absl::StatusOr<Target> ParseTarget(std::string_view raw) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (absl::StartsWithIgnoreCase(Sv(raw), Sv(scheme))) {
      size_t slash = raw.find('/', scheme.size());
      raw = slash == std::string_view::npos ? std::string_view("/")
                                            : raw.substr(slash);
      break;
    }
  }
  if (raw.empty() || raw.front() != '/') {
    return absl::InvalidArgumentError("request target must start with '/'");
  }
  if (raw.find('#') != std::string_view::npos) {
    return absl::InvalidArgumentError("fragment in request target");
  }
  size_t q = raw.find('?');
  std::string_view raw_path = raw.substr(0, q);
  Target t;
  // Segment by segment, so that only literal '/' separate segments.
  std::vector<std::string_view> segments = Split(raw_path.substr(1), '/');
  for (size_t i = 0; i < segments.size(); ++i) {
    auto seg = Decode(segments[i], /*path_segment=*/true);
    if (!seg.ok()) return seg.status();
    if (*seg == "." || *seg == "..") {
      return absl::InvalidArgumentError(
          "'.' or '..' segment in the path (path traversal)");
    }
    absl::StrAppend(&t.path, "/", *seg);
  }
  if (q == std::string_view::npos) return t;
  for (std::string_view pair : Split(raw.substr(q + 1), '&')) {
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = Decode(pair.substr(0, eq), false);
    if (!key.ok()) return key.status();
    absl::StatusOr<std::string> value = std::string();
    if (eq != std::string_view::npos)
      value = Decode(pair.substr(eq + 1), false);
    if (!value.ok()) return value.status();
    if (!t.query.emplace(*key, *value).second) {
      return absl::InvalidArgumentError("query parameter '" + *key +
                                        "' given twice");
    }
  }
  return t;
}

absl::StatusOr<Route> ParseRoute(const Target& target) {
  const std::string& p = target.path;
  Route r;
  if (p == "/healthz") {
    r.kind = Route::Kind::kHealthz;
    return r;
  }
  if (p == "/readyz") {
    r.kind = Route::Kind::kReadyz;
    return r;
  }
  if (p == "/metrics") {
    r.kind = Route::Kind::kMetrics;
    return r;
  }
  std::string_view rest;
  bool gallery = false;
  if (absl::StartsWith(p, "/v1/")) {
    rest = std::string_view(p).substr(4);
  } else if (absl::StartsWith(p, "/gallery/")) {
    rest = std::string_view(p).substr(9);
    gallery = true;
  } else {
    return absl::NotFoundError(
        "no such endpoint; the API lives under /v1/{account}/ (see "
        "docs/http-api.md)");
  }
  size_t slash = rest.find('/');
  r.account = std::string(rest.substr(0, slash));
  if (absl::Status s = ValidateAccountName(r.account); !s.ok()) return s;
  r.path = slash == std::string_view::npos
               ? std::string()
               : std::string(rest.substr(slash + 1));
  if (gallery) {
    r.kind = Route::Kind::kGallery;
    if (absl::Status s = ValidatePathPrefix(r.path); !s.ok()) return s;
    return r;
  }
  if (r.path.empty() || r.path.back() == '/') {
    r.kind = Route::Kind::kListing;
    if (absl::Status s = ValidatePathPrefix(r.path); !s.ok()) return s;
    return r;
  }
  r.kind = Route::Kind::kFile;
  if (absl::Status s = ValidateFilePath(r.path); !s.ok()) return s;
  return r;
}

}  // namespace drive::gateway
