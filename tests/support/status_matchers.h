#pragma once

// gMock matchers for absl::Status and absl::StatusOr<T>:
//   EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss));
//   EXPECT_THAT(s, StatusHas(absl::StatusCode::kAborted, "not the leader"));
//   ASSERT_OK(expr);  ASSERT_OK_AND_ASSIGN(auto v, expr);

#include <ostream>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace drive::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

MATCHER_P(StatusIs, code,
          std::string("has status code ") +
              absl::StatusCodeToString(static_cast<absl::StatusCode>(code))) {
  const absl::Status& s = ::drive::testing::GetStatus(arg);
  *result_listener << "status is " << s.ToString();
  return s.code() == code;
}

// The code, and a message containing `part`.
MATCHER_P2(StatusHas, code, part,
           std::string("has status code ") +
               absl::StatusCodeToString(static_cast<absl::StatusCode>(code)) +
               " and a message containing \"" + std::string(part) + "\"") {
  const absl::Status& s = ::drive::testing::GetStatus(arg);
  *result_listener << "status is " << s.ToString();
  return s.code() == code &&
         std::string(s.message()).find(part) != std::string::npos;
}

MATCHER(IsOk, "is OK") {
  const absl::Status& s = ::drive::testing::GetStatus(arg);
  *result_listener << "status is " << s.ToString();
  return s.ok();
}

}  // namespace drive::testing

#define ASSERT_OK(expr) ASSERT_THAT((expr), ::drive::testing::IsOk())
#define EXPECT_OK(expr) EXPECT_THAT((expr), ::drive::testing::IsOk())

#define DRIVE_TEST_CONCAT_(a, b) a##b
#define DRIVE_TEST_CONCAT(a, b) DRIVE_TEST_CONCAT_(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL(DRIVE_TEST_CONCAT(status_or_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  ASSERT_OK(tmp);                                 \
  lhs = std::move(tmp).value()
