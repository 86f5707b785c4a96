#include "common/placement_group.h"

#include <xxh_x86dispatch.h>

#include <string>

#include "common/bytes.h"

namespace drive {

uint32_t PgOf(std::string_view account, const ChunkId& id, uint32_t pg_count) {
  // Length-prefix the account so ("ab", id) and ("a", "b"+id) cannot collide.
  std::string buf;
  buf.reserve(4 + account.size() + ChunkId::kBytes);
  char len[4];
  StoreLE32(len, static_cast<uint32_t>(account.size()));
  buf.append(len, sizeof(len));
  buf.append(account);
  buf.append(id.bytes());
  return static_cast<uint32_t>(XXH3_64bits(buf.data(), buf.size()) % pg_count);
}

}  // namespace drive
