#include "common/chunk_codec.h"

#include <zstd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/bytes.h"
#include "common/chunk_id.h"

namespace drive {
namespace {

void PutHeader(ChunkCodec codec, uint32_t raw_length, char* out) {
  out[0] = static_cast<char>(kChunkFormatVersion);
  out[1] = static_cast<char>(codec);
  out[2] = 0;  // reserved, must be zero
  out[3] = 0;
  StoreLE32(out + 4, raw_length);
}

std::string StoreRaw(std::string_view raw) {
  std::string value(kChunkHeaderBytes + raw.size(), '\0');
  PutHeader(ChunkCodec::kNone, static_cast<uint32_t>(raw.size()), value.data());
  std::copy(raw.begin(), raw.end(), value.begin() + kChunkHeaderBytes);
  return value;
}

bool SavesEnough(size_t raw, size_t compressed, double min_saving) {
  return static_cast<double>(compressed) <=
         static_cast<double>(raw) * (1.0 - min_saving);
}

}  // namespace

absl::StatusOr<std::string> EncodeChunk(std::string_view raw,
                                        const ChunkCodecOptions& options) {
  if (raw.size() > kMaxChunkBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("chunk of ", raw.size(), " bytes exceeds the limit of ",
                     kMaxChunkBytes));
  }
  // Tiny chunks cannot save enough to matter; skip zstd's fixed costs.
  if (raw.size() < 512) return StoreRaw(raw);

  if (options.probe_bytes > 0 && raw.size() > options.probe_bytes) {
    std::string probe(ZSTD_compressBound(options.probe_bytes), '\0');
    size_t n = ZSTD_compress(probe.data(), probe.size(), raw.data(),
                             options.probe_bytes, options.zstd_level);
    if (ZSTD_isError(n) ||
        !SavesEnough(options.probe_bytes, n, options.min_saving)) {
      return StoreRaw(raw);
    }
  }

  std::string value(kChunkHeaderBytes + ZSTD_compressBound(raw.size()), '\0');
  size_t n = ZSTD_compress(value.data() + kChunkHeaderBytes,
                           value.size() - kChunkHeaderBytes, raw.data(),
                           raw.size(), options.zstd_level);
  if (ZSTD_isError(n) || !SavesEnough(raw.size(), n, options.min_saving)) {
    return StoreRaw(raw);
  }
  value.resize(kChunkHeaderBytes + n);
  PutHeader(ChunkCodec::kZstd, static_cast<uint32_t>(raw.size()), value.data());
  return value;
}

absl::StatusOr<ChunkHeader> ParseChunkHeader(std::string_view value) {
  if (value.size() < kChunkHeaderBytes) {
    return absl::DataLossError(
        absl::StrCat("stored chunk value of ", value.size(),
                     " bytes is shorter than its header"));
  }
  ChunkHeader h;
  h.version = static_cast<uint8_t>(value[0]);
  uint8_t codec = static_cast<uint8_t>(value[1]);
  h.raw_length = LoadLE32(value.data() + 4);
  if (h.version != kChunkFormatVersion) {
    return absl::DataLossError(
        absl::StrCat("unknown chunk format version ", h.version));
  }
  if (codec > static_cast<uint8_t>(ChunkCodec::kZstd)) {
    return absl::DataLossError(absl::StrCat("unknown chunk codec ", codec));
  }
  if (value[2] != 0 || value[3] != 0) {
    return absl::DataLossError("reserved chunk header bytes are not zero");
  }
  if (h.raw_length > kMaxChunkBytes) {
    return absl::DataLossError(
        absl::StrCat("chunk header claims ", h.raw_length, " raw bytes"));
  }
  h.codec = static_cast<ChunkCodec>(codec);
  return h;
}

absl::StatusOr<DecodedChunk> DecodeChunk(std::string_view value) {
  auto header = ParseChunkHeader(value);
  if (!header.ok()) return header.status();
  std::string_view payload = value.substr(kChunkHeaderBytes);
  DecodedChunk out;
  out.header_ = *header;
  if (header->codec == ChunkCodec::kNone) {
    if (payload.size() != header->raw_length) {
      return absl::DataLossError(
          absl::StrCat("stored payload has ", payload.size(),
                       " bytes, header says ", header->raw_length));
    }
    out.view_ = payload;
    return out;
  }
  unsigned long long frame =
      ZSTD_getFrameContentSize(payload.data(), payload.size());
  if (frame != header->raw_length) {
    return absl::DataLossError("zstd frame size does not match chunk header");
  }
  out.owned_ = true;
  out.owned_buf_.resize(header->raw_length);
  size_t n = ZSTD_decompress(out.owned_buf_.data(), out.owned_buf_.size(),
                             payload.data(), payload.size());
  if (ZSTD_isError(n) || n != header->raw_length) {
    return absl::DataLossError(
        absl::StrCat("zstd payload does not decompress: ",
                     ZSTD_isError(n) ? ZSTD_getErrorName(n) : "wrong length"));
  }
  return out;
}

}  // namespace drive
