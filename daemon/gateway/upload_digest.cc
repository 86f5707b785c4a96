#include "daemon/gateway/upload_digest.h"

#include <openssl/evp.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace drive::gateway {

absl::StatusOr<UploadDigests> UploadDigests::FromHeaders(
    const std::optional<std::string>& xxh3,
    const std::optional<std::string>& content_md5) {
  UploadDigests d;
  if (xxh3) {
    auto id = ChunkId::FromHex(absl::AsciiStrToLower(*xxh3));
    if (!id.ok()) {
      return absl::InvalidArgumentError(
          "X-Drive-Xxh3 must be 32 hex digits (XXH3-128 of the body)");
    }
    d.xxh3_ = *id;
  }
  if (content_md5) {
    std::string raw;
    if (!absl::Base64Unescape(*content_md5, &raw) || raw.size() != 16) {
      return absl::InvalidArgumentError(
          "Content-MD5 must be the base64 of a 16-byte MD5 digest");
    }
    d.md5_expected_ = std::move(raw);
    auto* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
    d.md5_ = ctx;
  }
  return d;
}

UploadDigests::UploadDigests(UploadDigests&& o) noexcept
    : xxh3_(o.xxh3_), md5_expected_(std::move(o.md5_expected_)), md5_(o.md5_) {
  o.md5_ = nullptr;
}

UploadDigests& UploadDigests::operator=(UploadDigests&& o) noexcept {
  if (this != &o) {
    if (md5_) EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(md5_));
    xxh3_ = o.xxh3_;
    md5_expected_ = std::move(o.md5_expected_);
    md5_ = o.md5_;
    o.md5_ = nullptr;
  }
  return *this;
}

UploadDigests::~UploadDigests() {
  if (md5_) EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(md5_));
}

void UploadDigests::Update(std::string_view data) {
  if (md5_)
    EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(md5_), data.data(), data.size());
}

absl::Status UploadDigests::Check(const ChunkId& body_xxh3) {
  if (xxh3_ && *xxh3_ != body_xxh3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "body hashes to ", body_xxh3.ToHex(), " but X-Drive-Xxh3 says ",
        xxh3_->ToHex(), "; nothing was stored"));
  }
  if (md5_) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(md5_), md, &len);
    std::string got(reinterpret_cast<char*>(md), len);
    if (got != md5_expected_) {
      return absl::InvalidArgumentError(absl::StrCat(
          "body MD5 is ", absl::Base64Escape(got), " but Content-MD5 says ",
          absl::Base64Escape(md5_expected_), "; nothing was stored"));
    }
  }
  return absl::OkStatus();
}

}  // namespace drive::gateway
