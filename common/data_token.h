#pragma once

// Data tokens let a client read and write one account's chunks on storage
// nodes without holding the cluster token. The coordinator signs them with
// the cluster token as HMAC-SHA256 key; nodes check them offline. Format
// (docs/formats/data-token.md): "v1.<account>.<expires unix s>.<hmac hex>".

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace drive {

// Issues a token for `account` valid until `expires_unix_s`.
std::string IssueDataToken(std::string_view secret, std::string_view account,
                           int64_t expires_unix_s);

// The account a valid token is for. kUnauthenticated when the token is
// malformed, forged or expired at `now_unix_s`.
absl::StatusOr<std::string> VerifyDataToken(std::string_view secret,
                                            std::string_view token,
                                            int64_t now_unix_s);

// Equality of secrets in time independent of where they differ (the
// length is not secret).
bool SecretsEqual(std::string_view a, std::string_view b);

// Lower-case hex HMAC-SHA256(key, message).
std::string HmacSha256Hex(std::string_view key, std::string_view message);
// Lower-case hex SHA-256 of data (token hashes at rest).
std::string Sha256Hex(std::string_view data);
// `bytes` cryptographically random bytes as lower-case hex (2*bytes chars).
std::string RandomHex(size_t bytes);

}  // namespace drive
