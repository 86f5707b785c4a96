#pragma once

// Signed URLs: a time-limited capability to one method on one path, which
// a gallery page can embed without a token. The query carries
// `kid=KEY_ID&expires=UNIX_S&sig=HEX` where
//   sig = lower_hex(HMAC-SHA256(secret[kid],
//           "drive-url-v1\n" METHOD "\n" PATH "\n" EXPIRES "\n" KID))
// PATH is the decoded request path ("/v1/demo/samples/a.jpg"), so any
// percent-encoding of the same path verifies; HEAD is signed as GET. Keys
// rotate through key ids: the first key of the ring signs, every key
// verifies (docs/http-api.md). Immutable and thread-safe once built.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace drive::gateway {

struct UrlKey {
  std::string id;      // 1..32 of [A-Za-z0-9_-]
  std::string secret;  // at least 16 bytes
};

class UrlSigner {
 public:
  // Parses a key file: one "KID SECRET" per line, '#' comments and blank
  // lines ignored, the first key signs. kInvalidArgument (naming the line)
  // on a bad id, a short secret, a duplicate id or no key at all.
  static absl::StatusOr<UrlSigner> FromKeyFile(std::string_view text);
  // kInvalidArgument under the same rules.
  static absl::StatusOr<UrlSigner> FromKeys(std::vector<UrlKey> keys);

  // The query string "kid=..&expires=..&sig=.." granting `method` on
  // `path` until `expires_unix_s`.
  std::string Sign(std::string_view method, std::string_view path,
                   int64_t expires_unix_s) const;

  // OK if `sig` is the signature of (method, path, expires, kid) under key
  // `kid` and `now_unix_s < expires`. kInvalidArgument if `expires` is not
  // a decimal integer; kPermissionDenied for an unknown key id, a
  // signature that does not match (tampered, other path or method) or an
  // expired URL. The signature is checked before the expiry, so a forged
  // URL never learns whether it would have expired.
  absl::Status Verify(std::string_view method, std::string_view path,
                      std::string_view kid, std::string_view expires,
                      std::string_view sig, int64_t now_unix_s) const;

  const std::string& signing_key_id() const { return keys_.front().id; }

 private:
  explicit UrlSigner(std::vector<UrlKey> keys) : keys_(std::move(keys)) {}
  const UrlKey* Find(std::string_view id) const;

  std::vector<UrlKey> keys_;  // never empty
};

}  // namespace drive::gateway
