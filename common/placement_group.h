#pragma once

#include <cstdint>
#include <string_view>

#include "common/chunk_id.h"

namespace drive {

// Default number of placement groups in a cluster. Fixed when the cluster is
// created: changing it would move every chunk.
inline constexpr uint32_t kDefaultPgCount = 1024;
// Keys encode the PG in 16 bits.
inline constexpr uint32_t kMaxPgCount = 65536;

// The placement group of a chunk: XXH3-64 over (account length, account,
// chunk id) mod pg_count. The account is part of the hash so one account's
// hot chunks do not pile onto the PGs of another's. pg_count must be in
// 1..kMaxPgCount.
uint32_t PgOf(std::string_view account, const ChunkId& id, uint32_t pg_count);

}  // namespace drive
