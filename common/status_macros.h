#pragma once

// Propagation helpers for absl::Status / absl::StatusOr. Standard C++; they
// work on GCC and clang.

#include <cstdio>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define DRIVE_STATUS_CONCAT_INNER(a, b) a##b
#define DRIVE_STATUS_CONCAT(a, b) DRIVE_STATUS_CONCAT_INNER(a, b)

// Returns the status of `expr` from the enclosing function if it is not OK.
#define DRIVE_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::absl::Status drive_status_ = (expr);         \
    if (!drive_status_.ok()) return drive_status_; \
  } while (false)

// `DRIVE_ASSIGN_OR_RETURN(auto x, F());` declares x from F()'s value, or
// returns F()'s error status.
#define DRIVE_ASSIGN_OR_RETURN(lhs, expr)                                    \
  DRIVE_ASSIGN_OR_RETURN_IMPL(DRIVE_STATUS_CONCAT(drive_or_, __LINE__), lhs, \
                              expr)
#define DRIVE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return std::move(tmp).status();    \
  lhs = std::move(tmp).value()

// Programmer errors only; never for bytes read from disk or network.
#define DRIVE_CHECK(cond)                                               \
  do {                                                                  \
    if (!(cond)) {                                                      \
      std::fprintf(stderr, "%s:%d: DRIVE_CHECK failed: %s\n", __FILE__, \
                   __LINE__, #cond);                                    \
      std::abort();                                                     \
    }                                                                   \
  } while (false)
