#pragma once

// A small Prometheus-style metrics registry: counters, gauges and latency
// histograms with fixed label sets, rendered in the Prometheus text format.
// Metric objects live as long as the registry; updates are lock-free.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace drive {

// Monotonic counter. Thread-safe.
class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Value that goes up and down. Thread-safe.
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Histogram of seconds with fixed buckets. Thread-safe.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double seconds);
  // Appends the _bucket, _sum and _count lines for `name{labels}`.
  void Render(const std::string& name, const std::string& labels,
              std::string* out) const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Owns all metrics of one process. Thread-safe.
class MetricsRegistry {
 public:
  // Labels are given as a rendered label set without braces, e.g.
  // `rpc="PutChunk",code="OK"`; empty for none. Repeated calls with the same
  // name and labels return the same object.
  Counter* GetCounter(const std::string& name, const std::string& help,
                      const std::string& labels = "");
  Gauge* GetGauge(const std::string& name, const std::string& help,
                  const std::string& labels = "");
  // Default buckets span 100 us .. 30 s.
  Histogram* GetHistogram(const std::string& name, const std::string& help,
                          const std::string& labels = "");
  // `refresh` runs before every Render (e.g. to read drive usage into gauges).
  // It must not call Render.
  void AddRefreshHook(std::function<void()> refresh);

  // The whole registry in Prometheus text exposition format 0.0.4.
  std::string Render();

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Family {
    Type type;
    std::string help;
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };
  Family& FamilyFor(const std::string& name, const std::string& help, Type type)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::map<std::string, Family> families_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void()>> hooks_ ABSL_GUARDED_BY(mu_);
};

// Escapes a label value for the text format (backslash, quote, newline).
std::string EscapeLabelValue(const std::string& v);

}  // namespace drive
