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

}  // namespace drive
