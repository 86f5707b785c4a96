#pragma once

#include "daemon/storage/chunk_store.h"
#include "gtest/gtest.h"

namespace drive::testing {

// Every chunk-store durability mode, for INSTANTIATE_TEST_SUITE_P, and the
// name each instance gets in test output (Durability/Suite.Test/Wal).
inline auto AllDurabilityModes() {
  return ::testing::Values(storage::DurabilityMode::kAuto,
                           storage::DurabilityMode::kFlush,
                           storage::DurabilityMode::kWal);
}

inline std::string DurabilityModeName(
    const ::testing::TestParamInfo<storage::DurabilityMode>& p) {
  switch (p.param) {
    case storage::DurabilityMode::kAuto:
      return "Auto";
    case storage::DurabilityMode::kFlush:
      return "Flush";
    case storage::DurabilityMode::kWal:
      return "Wal";
  }
  return "Unknown";
}

}  // namespace drive::testing
