#include "common/data_token.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/names.h"
#include "common/strings.h"

namespace drive {
namespace {

std::string Hex(const unsigned char* data, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

}  // namespace

bool SecretsEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= a[i] ^ b[i];
  return diff == 0;
}

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       mac, &len);
  return Hex(mac, len);
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return Hex(md, len);
}

std::string RandomHex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(bytes)) != 1) std::abort();
  return Hex(buf.data(), bytes);
}

std::string IssueDataToken(std::string_view secret, std::string_view account,
                           int64_t expires_unix_s) {
  std::string body = absl::StrCat("v1.", Sv(account), ".", expires_unix_s);
  return absl::StrCat(body, ".", HmacSha256Hex(secret, body));
}

absl::StatusOr<std::string> VerifyDataToken(std::string_view secret,
                                            std::string_view token,
                                            int64_t now_unix_s) {
  if (secret.empty())
    return absl::UnauthenticatedError("data tokens are disabled");
  std::vector<std::string> parts = absl::StrSplit(Sv(token), '.');
  int64_t expires = 0;
  if (parts.size() != 4 || parts[0] != "v1" ||
      !ValidateAccountName(parts[1]).ok() ||
      !absl::SimpleAtoi(parts[2], &expires)) {
    return absl::UnauthenticatedError("malformed data token");
  }
  std::string body = absl::StrCat("v1.", parts[1], ".", parts[2]);
  if (!SecretsEqual(HmacSha256Hex(secret, body), parts[3])) {
    return absl::UnauthenticatedError("data token signature is wrong");
  }
  if (now_unix_s >= expires) {
    return absl::UnauthenticatedError("data token expired");
  }
  return parts[1];
}

}  // namespace drive
