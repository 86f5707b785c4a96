#include "common/metrics.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace drive {
namespace {

using ::testing::HasSubstr;

TEST(MetricsTest, RendersCountersGaugesAndHistogramsInTextFormat) {
  MetricsRegistry r;
  r.GetCounter("drive_rpc_requests_total", "Finished RPCs",
               "rpc=\"PutChunk\",code=\"OK\"")
      ->Add(3);
  r.GetGauge("drive_drive_free_bytes", "Free", "drive=\"d0\"")
      ->Set(123456789012.0);
  Histogram* h = r.GetHistogram("drive_rpc_duration_seconds", "Latency",
                                "rpc=\"GetChunk\"");
  h->Observe(0.0003);
  h->Observe(2.0);
  std::string text = r.Render();
  EXPECT_THAT(text, HasSubstr("# TYPE drive_rpc_requests_total counter\n"));
  EXPECT_THAT(
      text,
      HasSubstr("drive_rpc_requests_total{rpc=\"PutChunk\",code=\"OK\"} 3\n"));
  EXPECT_THAT(text,
              HasSubstr("drive_drive_free_bytes{drive=\"d0\"} 123456789012\n"));
  EXPECT_THAT(text,
              HasSubstr("drive_rpc_duration_seconds_bucket{rpc=\"GetChunk\","
                        "le=\"0.0005\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("drive_rpc_duration_seconds_bucket{rpc=\"GetChunk\","
                        "le=\"+Inf\"} 2\n"));
  EXPECT_THAT(
      text,
      HasSubstr("drive_rpc_duration_seconds_count{rpc=\"GetChunk\"} 2\n"));
}

TEST(MetricsTest, SameNameAndLabelsReturnSameCounter) {
  MetricsRegistry r;
  EXPECT_EQ(r.GetCounter("c", "h", "a=\"1\""),
            r.GetCounter("c", "h", "a=\"1\""));
  EXPECT_NE(r.GetCounter("c", "h", "a=\"1\""),
            r.GetCounter("c", "h", "a=\"2\""));
}

TEST(MetricsTest, RefreshHooksRunBeforeRender) {
  MetricsRegistry r;
  int calls = 0;
  r.AddRefreshHook([&] { r.GetGauge("g", "help")->Set(++calls); });
  EXPECT_THAT(r.Render(), HasSubstr("g 1\n"));
  EXPECT_THAT(r.Render(), HasSubstr("g 2\n"));
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace drive
