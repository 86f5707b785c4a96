#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "common/metrics.h"

namespace drive::http {

// Serves GET /metrics (Prometheus text format) and GET /healthz on its own
// Asio thread. Requests are small and answered from memory, so one thread
// suffices; each connection has a 10 s deadline so a stuck scraper cannot
// pin it. Thread-safe Start/Stop; the registry must outlive the server.
class MetricsServer {
 public:
  explicit MetricsServer(MetricsRegistry* registry);
  ~MetricsServer();

  // Binds host:port (port 0 picks a free one) and starts serving. Returns
  // the bound port. kUnavailable if the address cannot be bound.
  absl::StatusOr<uint16_t> Start(const std::string& host, uint16_t port);
  // Stops accepting and joins the thread. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace drive::http
