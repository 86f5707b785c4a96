#pragma once

#include <string_view>
#include <type_traits>

#include "absl/strings/string_view.h"

namespace drive {

// Debian's Abseil is built with its own absl::string_view (not an alias of
// std::string_view), so Abseil string functions do not accept
// std::string_view. This converts without copying.
inline absl::string_view Sv(std::string_view s) { return {s.data(), s.size()}; }

inline std::string_view Std(absl::string_view s) {
  return {s.data(), s.size()};
}

// Passes any StrCat argument through, converting std::string_view.
template <typename T>
decltype(auto) AbslArg(const T& v) {
  if constexpr (std::is_same_v<T, std::string_view>) {
    return Sv(v);
  } else {
    return (v);
  }
}

}  // namespace drive
