#include "common/pg_digest.h"

#include <string>

namespace drive {
namespace {

// The element hash: the account is length-prefixed so ("ab", id) and
// ("a", "b" + id...) can never produce the same input.
ChunkId ElementHash(std::string_view account, const ChunkId& id) {
  std::string in;
  in.reserve(1 + account.size() + ChunkId::kBytes);
  in.push_back(static_cast<char>(account.size()));
  in.append(account);
  in.append(id.bytes());
  return ChunkId::Of(in);
}

void Xor(std::array<uint8_t, ChunkId::kBytes>* acc, const ChunkId& h) {
  std::string_view b = h.bytes();
  for (size_t i = 0; i < acc->size(); ++i) {
    (*acc)[i] ^= static_cast<uint8_t>(b[i]);
  }
}

}  // namespace

void PgDigest::Add(std::string_view account, const ChunkId& id,
                   uint64_t raw_length) {
  ++chunks;
  bytes += raw_length;
  Xor(&hash, ElementHash(account, id));
}

void PgDigest::Remove(std::string_view account, const ChunkId& id,
                      uint64_t raw_length) {
  --chunks;
  bytes -= raw_length;
  Xor(&hash, ElementHash(account, id));  // XOR is its own inverse
}

}  // namespace drive
