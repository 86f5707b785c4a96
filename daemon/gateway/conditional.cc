#include "daemon/gateway/conditional.h"

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "common/strings.h"

namespace drive::gateway {
namespace {

// Optional whitespace around header parts (std::string_view in and out).
std::string_view Trim(std::string_view s) {
  return Std(absl::StripAsciiWhitespace(Sv(s)));
}

// Last-Modified has one-second precision on the wire.
absl::Time Seconds(absl::Time t) {
  return absl::FromUnixSeconds(absl::ToUnixSeconds(t));
}

// A date header that counts: parses and is not in the future.
std::optional<absl::Time> UsableDate(const std::optional<std::string>& h,
                                     absl::Time now) {
  if (!h) return std::nullopt;
  std::optional<absl::Time> t = ParseHttpDate(*h);
  if (!t || *t > now) return std::nullopt;
  return t;
}

}  // namespace

bool EtagListMatches(std::string_view list, std::string_view etag, bool weak) {
  list = Trim(list);
  if (list == "*") return true;
  std::string_view want = etag;
  bool want_weak = want.substr(0, 2) == "W/";
  if (want_weak) {
    if (!weak) return false;
    want.remove_prefix(2);
  }
  while (!list.empty()) {
    list = Trim(list);
    bool is_weak = list.substr(0, 2) == "W/";
    if (is_weak) list.remove_prefix(2);
    if (list.empty() || list.front() != '"') return false;  // malformed
    size_t close = list.find('"', 1);
    if (close == std::string_view::npos) return false;
    std::string_view tag = list.substr(0, close + 1);
    if (tag == want && (weak || !is_weak)) return true;
    list = Trim(list.substr(close + 1));
    if (!list.empty()) {
      if (list.front() != ',') return false;
      list.remove_prefix(1);
    }
  }
  return false;
}

Precondition EvaluatePreconditions(const Conditions& c,
                                   const Validators* current, bool read,
                                   absl::Time now) {
  // 1-2: the client's copy must still be current.
  if (c.if_match) {
    if (current == nullptr ||
        !EtagListMatches(*c.if_match, current->etag, /*weak=*/false)) {
      return Precondition::kPreconditionFailed;
    }
  } else if (auto since = UsableDate(c.if_unmodified_since, now);
             since && current != nullptr &&
             Seconds(current->last_modified) > *since) {
    return Precondition::kPreconditionFailed;
  }
  // 3-4: the client's copy is already current.
  if (c.if_none_match) {
    bool matches =
        current != nullptr &&
        EtagListMatches(*c.if_none_match, current->etag, /*weak=*/true);
    if (matches) {
      return read ? Precondition::kNotModified
                  : Precondition::kPreconditionFailed;
    }
  } else if (read && current != nullptr) {
    if (auto since = UsableDate(c.if_modified_since, now);
        since && Seconds(current->last_modified) <= *since) {
      return Precondition::kNotModified;
    }
  }
  return Precondition::kProceed;
}

bool IfRangeAllows(const std::optional<std::string>& if_range,
                   const Validators& current) {
  if (!if_range) return true;
  std::string_view v = Trim(*if_range);
  if (!v.empty() && (v.front() == '"' || v.substr(0, 2) == "W/")) {
    return v == current.etag;  // strong comparison, one tag
  }
  std::optional<absl::Time> t = ParseHttpDate(v);
  return t && *t == Seconds(current.last_modified);
}

std::string FormatHttpDate(absl::Time t) {
  return absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", t, absl::UTCTimeZone());
}

std::optional<absl::Time> ParseHttpDate(std::string_view text) {
  static const char* const kFormats[] = {
      "%a, %d %b %Y %H:%M:%S GMT",  // IMF-fixdate
      "%A, %d-%b-%y %H:%M:%S GMT",  // RFC 850
      "%a %b %e %H:%M:%S %Y",       // asctime
  };
  std::string_view s = Trim(text);
  for (const char* f : kFormats) {
    absl::Time t;
    std::string err;
    if (absl::ParseTime(f, Sv(s), absl::UTCTimeZone(), &t, &err)) return t;
  }
  return std::nullopt;
}

}  // namespace drive::gateway
