#pragma once

// Conditional requests (RFC 9110 §13): If-Match, If-None-Match,
// If-Modified-Since, If-Unmodified-Since and If-Range, evaluated against a
// file's validators (strong ETag = content hash, Last-Modified = commit
// time). Pure functions; no I/O.

#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace drive::gateway {

// The validators of the current representation.
struct Validators {
  std::string etag;  // quoted, e.g. "\"9f86d0...\"" (always strong here)
  absl::Time last_modified;
};

// The conditional request headers; absent headers are nullopt.
struct Conditions {
  std::optional<std::string> if_match;
  std::optional<std::string> if_none_match;
  std::optional<std::string> if_modified_since;
  std::optional<std::string> if_unmodified_since;
};

enum class Precondition {
  kProceed,             // evaluate the method normally
  kNotModified,         // 304 (GET/HEAD only)
  kPreconditionFailed,  // 412
};

// Evaluates in RFC 9110 §13.2.2 order. `current` is null when the target
// does not exist (If-Match then fails, If-None-Match: * passes). `read` is
// true for GET/HEAD, which answer a failed If-None-Match/If-Modified-Since
// with 304; other methods get 412. Dates that do not parse, or lie in the
// future of `now`, are ignored as the RFC requires.
Precondition EvaluatePreconditions(const Conditions& c,
                                   const Validators* current, bool read,
                                   absl::Time now);

// Whether a Range request may be honoured given its If-Range header
// (absent: yes). An entity-tag must match strongly; a date must equal
// Last-Modified to the second.
bool IfRangeAllows(const std::optional<std::string>& if_range,
                   const Validators& current);

// True if the comma-separated entity-tag list (or "*") names `etag`;
// `weak` compares ignoring W/ prefixes, strong comparison never matches
// a weak tag.
bool EtagListMatches(std::string_view list, std::string_view etag, bool weak);

// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), and parsing of that form,
// RFC 850 and asctime (nullopt if none matches).
std::string FormatHttpDate(absl::Time t);
std::optional<absl::Time> ParseHttpDate(std::string_view text);

}  // namespace drive::gateway
