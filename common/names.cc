#include "common/names.h"

#include "absl/strings/str_cat.h"

namespace drive {

absl::Status ValidateAccountName(std::string_view account) {
  if (account.empty() || account.size() > kMaxAccountNameBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("account name must be 1..", kMaxAccountNameBytes,
                     " characters, got ", account.size()));
  }
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  if (!alnum(account[0])) {
    return absl::InvalidArgumentError(
        "account name must start with a lower-case letter or digit");
  }
  for (char c : account) {
    if (!alnum(c) && c != '-' && c != '_') {
      return absl::InvalidArgumentError(
          "account name may contain only a-z, 0-9, '-' and '_'");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateComponentName(std::string_view kind,
                                   std::string_view name) {
  bool ok = !name.empty() && name.size() <= 63;
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
  }
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      std::string(kind), " name '", std::string(name.substr(0, 80)),
      "' must be 1..63 characters of A-Z a-z 0-9 . _ -"));
}

}  // namespace drive
