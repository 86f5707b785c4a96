// Fuzzes decoding of stored chunk values (common/chunk_codec.h), which are
// bytes read back from disk or received from a peer. Invariants: a value
// either decodes to exactly the length its header claims or fails with
// kDataLoss; decode(encode(x)) == x for any payload and codec options.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "common/chunk_codec.h"
#include "common/status_macros.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view value(reinterpret_cast<const char*>(data), size);

  // Hostile stored value.
  auto header = drive::ParseChunkHeader(value);
  auto decoded = drive::DecodeChunk(value);
  if (decoded.ok()) {
    DRIVE_CHECK(header.ok());
    DRIVE_CHECK(decoded->raw().size() == header->raw_length);
    DRIVE_CHECK(decoded->header().codec == header->codec);
  } else {
    DRIVE_CHECK(decoded.status().code() == absl::StatusCode::kDataLoss);
  }
  if (!header.ok()) {
    DRIVE_CHECK(header.status().code() == absl::StatusCode::kDataLoss);
  }

  // Round trip of the input taken as a payload, with fuzzed options.
  FuzzedDataProvider in(data, size);
  drive::ChunkCodecOptions options;
  options.zstd_level = in.ConsumeIntegralInRange(1, 19);
  options.min_saving = in.ConsumeProbability<double>();
  options.probe_bytes = in.ConsumeIntegralInRange<size_t>(0, 4096);
  std::string raw = in.ConsumeRemainingBytesAsString();
  // Repeat it so that zstd (used from 512 bytes on) has something to save.
  if (raw.size() < 512 && !raw.empty()) {
    while (raw.size() < 2048) raw += raw;
  }
  auto encoded = drive::EncodeChunk(raw, options);
  DRIVE_CHECK(encoded.ok());
  auto back = drive::DecodeChunk(*encoded);
  DRIVE_CHECK(back.ok());
  DRIVE_CHECK(back->raw() == raw);
  if (back->header().codec == drive::ChunkCodec::kZstd) {
    DRIVE_CHECK(encoded->size() < raw.size() + drive::kChunkHeaderBytes);
  }
  // A value cut short never decodes.
  if (!encoded->empty()) {
    std::string cut = encoded->substr(0, encoded->size() - 1);
    DRIVE_CHECK(!drive::DecodeChunk(cut).ok());
  }
  return 0;
}
