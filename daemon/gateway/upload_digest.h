#pragma once

// Digests a client may send with a PUT so that a body damaged or cut short
// on the way is never committed: `X-Drive-Xxh3` (32 hex digits, XXH3-128
// of the whole body, the file hash Drive itself computes) and
// `Content-MD5` (RFC 1864: base64 of the body's MD5). Not thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/chunk_id.h"

namespace drive::gateway {

class UploadDigests {
 public:
  // Parses the headers (absent: nullopt). kInvalidArgument if a value is
  // malformed, before any byte is read.
  static absl::StatusOr<UploadDigests> FromHeaders(
      const std::optional<std::string>& xxh3,
      const std::optional<std::string>& content_md5);
  UploadDigests(UploadDigests&&) noexcept;
  UploadDigests& operator=(UploadDigests&&) noexcept;
  ~UploadDigests();

  bool wants_md5() const { return md5_ != nullptr; }
  // Feeds body bytes (only needed for MD5; XXH3 comes from the upload).
  void Update(std::string_view data);
  // OK if every expected digest matches; kInvalidArgument saying which
  // does not (the caller then commits nothing).
  absl::Status Check(const ChunkId& body_xxh3);

 private:
  UploadDigests() = default;
  std::optional<ChunkId> xxh3_;
  std::string md5_expected_;  // 16 raw bytes when wanted
  void* md5_ = nullptr;       // EVP_MD_CTX*, opaque to keep OpenSSL out
};

}  // namespace drive::gateway
