#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace drive {

// Longest account name; keys store its length in one byte.
inline constexpr size_t kMaxAccountNameBytes = 63;

// Accepts 1..63 characters of [a-z0-9_-], starting with a letter or digit.
// Account names appear in keys, paths, URLs and metric labels, so they are
// kept to a set that needs no escaping anywhere. kInvalidArgument otherwise.
absl::Status ValidateAccountName(std::string_view account);

// Node and drive names: 1..63 characters of [A-Za-z0-9._-]. They form drive
// ids "node/drive", so '/' in either would make ids ambiguous.
// kInvalidArgument otherwise, naming `kind` ("node", "drive").
absl::Status ValidateComponentName(std::string_view kind,
                                   std::string_view name);

}  // namespace drive
