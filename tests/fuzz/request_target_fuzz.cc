// Fuzzes the gateway's request-target parser and router
// (daemon/gateway/request_target.h) with raw targets; the invariants are in
// target_checks.h.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tests/fuzz/target_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  drive::fuzz::CheckRequestTarget(
      std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
