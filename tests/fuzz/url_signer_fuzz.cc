// Fuzzes signed-URL verification (daemon/gateway/url_signer.h) and the key
// file parser. Invariants: a URL verifies only with the exact signature
// Sign() would produce for its key, method, path and expiry; a signature
// made by Sign() verifies until it expires and for no other path.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "common/data_token.h"
#include "common/status_macros.h"
#include "daemon/gateway/url_signer.h"

using drive::gateway::UrlSigner;

namespace {

const UrlSigner& Signer() {
  static const UrlSigner signer = *UrlSigner::FromKeyFile(
      "k2 second-secret-0123456789\nk1 first-secret-0123456789\n");
  return signer;
}

// kid, expires and sig of a query that Sign() produced.
std::map<std::string, std::string> Fields(const std::string& query) {
  std::map<std::string, std::string> out;
  size_t at = 0;
  while (at <= query.size()) {
    size_t amp = query.find('&', at);
    if (amp == std::string::npos) amp = query.size();
    std::string kv = query.substr(at, amp - at);
    size_t eq = kv.find('=');
    out[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
    at = amp + 1;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  std::string method = in.ConsumeRandomLengthString(8);
  std::string path = in.ConsumeRandomLengthString(128);
  std::string kid = in.ConsumeRandomLengthString(8);
  std::string expires = in.ConsumeRandomLengthString(24);
  int64_t now = in.ConsumeIntegral<int64_t>();
  std::string sig = in.ConsumeRandomLengthString(80);
  std::string key_file = in.ConsumeRemainingBytesAsString();
  const UrlSigner& signer = Signer();

  // Hostile input: verifies only with the signature of the known key.
  absl::Status s = signer.Verify(method, path, kid, expires, sig, now);
  if (s.ok()) {
    int64_t e = 0;
    DRIVE_CHECK(absl::SimpleAtoi(expires, &e) && now < e);
    const char* secret = kid == "k2"   ? "second-secret-0123456789"
                         : kid == "k1" ? "first-secret-0123456789"
                                       : nullptr;
    DRIVE_CHECK(secret != nullptr);
    std::string m = method == "HEAD" ? "GET" : method;
    DRIVE_CHECK(sig == drive::HmacSha256Hex(secret, "drive-url-v1\n" + m +
                                                        "\n" + path + "\n" +
                                                        expires + "\n" + kid));
  } else {
    DRIVE_CHECK(s.code() == absl::StatusCode::kInvalidArgument ||
                s.code() == absl::StatusCode::kPermissionDenied);
  }

  // Round trip: what Sign() grants verifies before expiry, for HEAD as GET,
  // and not for another path.
  if (now < INT64_MAX) {
    auto q = Fields(signer.Sign(method, path, now + 1));
    DRIVE_CHECK(q["kid"] == signer.signing_key_id());
    DRIVE_CHECK(
        signer.Verify(method, path, q["kid"], q["expires"], q["sig"], now)
            .ok());
    if (method == "GET") {
      DRIVE_CHECK(
          signer.Verify("HEAD", path, q["kid"], q["expires"], q["sig"], now)
              .ok());
    }
    DRIVE_CHECK(
        signer.Verify(method, path + "x", q["kid"], q["expires"], q["sig"], now)
            .code() == absl::StatusCode::kPermissionDenied);
    DRIVE_CHECK(
        signer.Verify(method, path, q["kid"], q["expires"], q["sig"], now + 1)
            .code() == absl::StatusCode::kPermissionDenied);
  }

  // Operator input: a key file either loads or names what is wrong.
  auto loaded = UrlSigner::FromKeyFile(key_file);
  if (loaded.ok()) {
    DRIVE_CHECK(!loaded->signing_key_id().empty());
  } else {
    DRIVE_CHECK(loaded.status().code() == absl::StatusCode::kInvalidArgument);
  }
  return 0;
}
