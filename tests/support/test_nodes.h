#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "daemon/coordinator/node_registry.h"

namespace drive::testing {

// A node of `region` with one 1 TiB drive "d0", as it registers with a
// coordinator of `pg_count` PGs; zone "<region>-a", host = name.
inline coordinator::NodeRecord TestNodeRecord(const std::string& name,
                                              const std::string& region,
                                              uint32_t pg_count) {
  coordinator::NodeRecord r;
  r.node = name;
  r.address = absl::StrCat("127.0.0.1:", 7000 + name.size());
  r.region = region;
  r.zone = region + "-a";
  r.host = name;
  r.pg_count = pg_count;
  r.drives = {{.name = "d0", .capacity_bytes = uint64_t{1} << 40}};
  return r;
}

}  // namespace drive::testing
