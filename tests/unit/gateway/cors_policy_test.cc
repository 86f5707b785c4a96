#include "daemon/gateway/cors_policy.h"

#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace drive::gateway {
namespace {

using ::drive::testing::StatusIs;

TEST(CorsPolicyTest, ListedOriginsOfTheAccountAreAllowed) {
  ASSERT_OK_AND_ASSIGN(
      CorsPolicy p, CorsPolicy::FromSpecs(
                        {"demo=https://app.example.com,http://localhost:3000",
                         "demo=https://b.example.com", "open=*"}));
  EXPECT_TRUE(p.Allows("demo", "https://app.example.com"));
  EXPECT_TRUE(p.Allows("demo", "http://localhost:3000"));
  EXPECT_TRUE(p.Allows("demo", "https://b.example.com"));
  EXPECT_FALSE(p.Allows("demo", "https://evil.example.com"));
  EXPECT_FALSE(p.Allows("other", "https://app.example.com"));
  EXPECT_TRUE(p.Allows("open", "https://anything.example"));
  EXPECT_FALSE(p.Allows("demo", ""));
}

TEST(CorsPolicyTest, BadSpecsAreRefused) {
  for (const char* spec : {"demo", "Demo!=https://a.com", "demo=a.com",
                           "demo=https://a.com/", "demo=https://a.com/x"}) {
    EXPECT_THAT(CorsPolicy::FromSpecs({spec}),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << spec;
  }
}

}  // namespace
}  // namespace drive::gateway
