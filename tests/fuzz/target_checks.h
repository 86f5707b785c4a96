#pragma once

// Invariants of the gateway's request-target parsing, shared by the target
// and request-head fuzzers.

#include <string_view>

namespace drive::fuzz {

// Parses `raw` as the gateway does (ParseTarget, then ParseRoute) and
// aborts if an invariant fails: a parsed path is absolute, free of NUL and
// of '.'/'..' segments; a route names a valid account and a valid file
// path or prefix; the links the gateway builds for a route
// (PercentEncodePath) parse back to the same route; a refusal renders as
// a 400 or 404 JSON body.
void CheckRequestTarget(std::string_view raw);

}  // namespace drive::fuzz
