#pragma once

// Fixed-width integer encoding for on-disk and wire formats. Byte order is
// explicit in the name; every format page in docs/formats/ says which it uses.

#include <cstdint>
#include <string>

namespace drive {

inline void StoreLE32(char* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(v >> (8 * i));
}
inline uint32_t LoadLE32(const char* in) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}
// Big-endian keeps numeric order equal to byte order inside RocksDB keys.
inline void AppendBE16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v & 0xff));
}
inline uint16_t LoadBE16(const char* in) {
  return static_cast<uint16_t>((static_cast<uint8_t>(in[0]) << 8) |
                               static_cast<uint8_t>(in[1]));
}

}  // namespace drive
