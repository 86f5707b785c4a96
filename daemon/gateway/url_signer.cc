#include "daemon/gateway/url_signer.h"

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/data_token.h"
#include "common/strings.h"

namespace drive::gateway {
namespace {

constexpr size_t kMinSecretBytes = 16;

bool ValidKeyId(std::string_view id) {
  if (id.empty() || id.size() > 32) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// HEAD reads what GET reads, so one signature serves both.
std::string_view CanonicalMethod(std::string_view method) {
  return method == "HEAD" ? std::string_view("GET") : method;
}

std::string Message(std::string_view method, std::string_view path,
                    std::string_view expires, std::string_view kid) {
  return absl::StrCat("drive-url-v1\n", Sv(CanonicalMethod(method)), "\n",
                      Sv(path), "\n", Sv(expires), "\n", Sv(kid));
}

}  // namespace

absl::StatusOr<UrlSigner> UrlSigner::FromKeys(std::vector<UrlKey> keys) {
  if (keys.empty()) return absl::InvalidArgumentError("no URL signing key");
  std::set<std::string> seen;
  for (const auto& k : keys) {
    if (!ValidKeyId(k.id)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "URL key id '", k.id, "' must be 1..32 of [A-Za-z0-9_-]"));
    }
    if (k.secret.size() < kMinSecretBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("URL key '", k.id, "' is shorter than ", kMinSecretBytes,
                       " characters"));
    }
    if (!seen.insert(k.id).second) {
      return absl::InvalidArgumentError("URL key id '" + k.id +
                                        "' appears twice");
    }
  }
  return UrlSigner(std::move(keys));
}

absl::StatusOr<UrlSigner> UrlSigner::FromKeyFile(std::string_view text) {
  std::vector<UrlKey> keys;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(Sv(text), '\n')) {
    ++line_no;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (fields.empty() || fields[0].front() == '#') continue;
    if (fields.size() != 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          "URL key file line ", line_no, ": want 'KEY_ID SECRET'"));
    }
    keys.push_back({std::string(fields[0]), std::string(fields[1])});
  }
  return FromKeys(std::move(keys));
}

const UrlKey* UrlSigner::Find(std::string_view id) const {
  for (const auto& k : keys_) {
    if (k.id == id) return &k;
  }
  return nullptr;
}

std::string UrlSigner::Sign(std::string_view method, std::string_view path,
                            int64_t expires_unix_s) const {
  const UrlKey& key = keys_.front();
  std::string expires = absl::StrCat(expires_unix_s);
  std::string sig =
      HmacSha256Hex(key.secret, Message(method, path, expires, key.id));
  return absl::StrCat("kid=", key.id, "&expires=", expires, "&sig=", sig);
}

absl::Status UrlSigner::Verify(std::string_view method, std::string_view path,
                               std::string_view kid, std::string_view expires,
                               std::string_view sig, int64_t now_unix_s) const {
  int64_t expires_s = 0;
  if (!absl::SimpleAtoi(Sv(expires), &expires_s)) {
    return absl::InvalidArgumentError(
        "signed URL: expires must be Unix seconds");
  }
  const UrlKey* key = Find(kid);
  if (key == nullptr) {
    return absl::PermissionDeniedError(
        "signed URL: unknown key id (the key may have been retired)");
  }
  std::string want =
      HmacSha256Hex(key->secret, Message(method, path, expires, kid));
  if (!SecretsEqual(want, sig)) {
    return absl::PermissionDeniedError(
        "signed URL: signature does not match this method and path");
  }
  if (now_unix_s >= expires_s) {
    return absl::PermissionDeniedError("signed URL expired");
  }
  return absl::OkStatus();
}

}  // namespace drive::gateway
