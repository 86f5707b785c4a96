// Fuzzes data-token verification (common/data_token.h) and the name and
// path validators that guard every key, URL and metric label. Invariants:
// only a token IssueDataToken() made verifies; what verifies is safe to
// forward as gRPC metadata; accepted names and paths keep their promises.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "common/data_token.h"
#include "common/file_path.h"
#include "common/names.h"
#include "common/status_macros.h"

namespace {

constexpr char kSecret[] = "cluster-secret-for-fuzzing";

// RFC 9110 field-value characters that gRPC accepts in a metadata value:
// visible ASCII and space. TODO(#10): check with the gateway's metadata
// value validator instead once it lands, and fuzz the validator itself
// here (everything it accepts must pass this predicate).
bool LegalMetadataValue(std::string_view v) {
  for (char c : v) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  int64_t now = in.ConsumeIntegral<int64_t>();
  std::string account = in.ConsumeRandomLengthString(80);
  int64_t expires = in.ConsumeIntegral<int64_t>();
  std::string token = in.ConsumeRemainingBytesAsString();

  // A hostile token never verifies unless it is exactly what the
  // coordinator would have issued for the account it names.
  auto who = drive::VerifyDataToken(kSecret, token, now);
  if (who.ok()) {
    DRIVE_CHECK(drive::ValidateAccountName(*who).ok());
    DRIVE_CHECK(LegalMetadataValue(token));
  } else {
    DRIVE_CHECK(who.status().code() == absl::StatusCode::kUnauthenticated);
  }
  DRIVE_CHECK(!drive::VerifyDataToken("", token, now).ok());

  // Round trip: an issued token verifies until it expires, for a valid
  // account only, and any one flipped byte breaks it.
  bool valid = drive::ValidateAccountName(account).ok();
  std::string issued = drive::IssueDataToken(kSecret, account, expires);
  auto back = drive::VerifyDataToken(kSecret, issued, now);
  DRIVE_CHECK(back.ok() == (valid && now < expires));
  if (back.ok()) {
    DRIVE_CHECK(*back == account);
    DRIVE_CHECK(LegalMetadataValue(issued));
    DRIVE_CHECK(!drive::VerifyDataToken("other-secret", issued, now).ok());
    std::string flipped = issued;
    flipped[static_cast<size_t>(expires) % flipped.size()] ^= 1;
    DRIVE_CHECK(!drive::VerifyDataToken(kSecret, flipped, now).ok());
  }

  // Names and paths: what validates is free of separators and controls.
  if (drive::ValidateComponentName("drive", token).ok()) {
    DRIVE_CHECK(token.find('/') == std::string::npos);
    DRIVE_CHECK(LegalMetadataValue(token));
  }
  if (drive::ValidateFilePath(token).ok()) {
    DRIVE_CHECK(!token.empty() && token.size() <= drive::kMaxPathBytes);
    DRIVE_CHECK(token.front() != '/' && token.back() != '/');
    for (char c : token) {
      DRIVE_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
      DRIVE_CHECK(c != '\\');
    }
    DRIVE_CHECK(token.find("//") == std::string::npos);
    std::string framed = "/" + token + "/";
    DRIVE_CHECK(framed.find("/../") == std::string::npos);
    DRIVE_CHECK(framed.find("/./") == std::string::npos);
    DRIVE_CHECK(drive::ValidatePathPrefix(token).ok());
    DRIVE_CHECK(drive::ValidatePathPrefix(token + "/").ok());
  }
  return 0;
}
