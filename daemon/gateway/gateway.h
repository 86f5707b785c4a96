#pragma once

// The HTTP API of Drive (docs/http-api.md) as a RequestHandler: routing,
// authentication (bearer account tokens, signed URLs), CORS, and the
// handlers for files (GET/HEAD/PUT/DELETE), listings, shares and the
// gallery page. Handlers are thin: the rules live in the domain classes
// of this folder (byte_range, conditional, url_signer, ...) and the data
// comes from a Cluster (ClusterAccess in the daemon). Thread-safe;
// components are not owned.

#include <atomic>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "common/env.h"
#include "common/metrics.h"
#include "daemon/gateway/cluster.h"
#include "daemon/gateway/connection.h"
#include "daemon/gateway/cors_policy.h"
#include "daemon/gateway/url_signer.h"

namespace drive::gateway {

struct GatewayOptions {
  // Scheme and host of share links ("https://drive.example.com"); empty:
  // "http://" + the request's Host header. Default: empty.
  std::string public_url;
  // Longest lifetime `POST ...?share` grants. Default: 30 days.
  absl::Duration max_share_ttl = absl::Hours(24 * 30);
  // Lifetime of the image links on a gallery page opened with a token
  // (rounded up to the next full hour, so links stay cacheable for a
  // while). Pages opened by a signed URL reuse that URL's expiry.
  // Default: 1 h.
  absl::Duration gallery_link_ttl = absl::Hours(1);
  // Images per gallery page. Default: 500.
  uint32_t gallery_page_size = 500;
  // Uploads in flight at once (each holds a thread of the upload pool);
  // more get 503 with Retry-After. Default: 32.
  int max_uploads = 32;
};

class Gateway : public RequestHandler {
 public:
  Gateway(GatewayOptions options, Cluster* cluster, const UrlSigner* signer,
          const CorsPolicy* cors, Env* env, MetricsRegistry* metrics);

  void Handle(std::shared_ptr<Connection> conn) override;
  void Completed(std::string_view method, int status, absl::Duration elapsed,
                 uint64_t body_bytes_out) override;
  bool draining() const override { return draining_.load(); }

  // From now on /readyz fails and connections stop keeping alive.
  void StartDraining() { draining_ = true; }

  // For the request handlers (request.h).
  const GatewayOptions& options() const { return options_; }
  Cluster* cluster() const { return cluster_; }
  const UrlSigner& signer() const { return *signer_; }
  const CorsPolicy& cors() const { return *cors_; }
  Env* env() const { return env_; }
  MetricsRegistry* metrics() const { return metrics_; }
  // Takes an upload slot; false when all max_uploads are busy.
  bool TryStartUpload();
  void EndUpload(bool committed);

 private:
  const GatewayOptions options_;
  Cluster* const cluster_;
  const UrlSigner* const signer_;
  const CorsPolicy* const cors_;
  Env* const env_;
  MetricsRegistry* const metrics_;
  std::atomic<bool> draining_{false};
  std::atomic<int> uploads_{0};
  Counter* bytes_out_;
  Counter* uploads_committed_;
  Counter* uploads_failed_;
  Gauge* uploads_in_flight_;
};

}  // namespace drive::gateway
