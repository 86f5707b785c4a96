#include "daemon/gateway/gateway.h"

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "daemon/gateway/internal/request.h"

namespace drive::gateway {

Gateway::Gateway(GatewayOptions options, Cluster* cluster,
                 const UrlSigner* signer, const CorsPolicy* cors, Env* env,
                 MetricsRegistry* metrics)
    : options_(std::move(options)),
      cluster_(cluster),
      signer_(signer),
      cors_(cors),
      env_(env),
      metrics_(metrics),
      bytes_out_(metrics->GetCounter("drive_gateway_response_body_bytes_total",
                                     "Response body bytes sent")),
      uploads_committed_(metrics->GetCounter("drive_gateway_uploads_total",
                                             "PUT uploads by outcome",
                                             "outcome=\"committed\"")),
      uploads_failed_(metrics->GetCounter("drive_gateway_uploads_total",
                                          "PUT uploads by outcome",
                                          "outcome=\"failed\"")),
      uploads_in_flight_(metrics->GetGauge("drive_gateway_uploads_in_flight",
                                           "PUT uploads in progress")) {}

void Gateway::Handle(std::shared_ptr<Connection> conn) {
  std::make_shared<internal::Request>(this, std::move(conn))->Run();
}

void Gateway::Completed(std::string_view method, int status,
                        absl::Duration elapsed, uint64_t body_bytes_out) {
  // Unknown methods share one label, so clients cannot grow the registry.
  std::string_view m = method;
  if (m != "GET" && m != "HEAD" && m != "PUT" && m != "DELETE" && m != "POST" &&
      m != "OPTIONS") {
    m = "other";
  }
  metrics_
      ->GetCounter("drive_gateway_requests_total", "HTTP requests by status",
                   absl::StrCat("method=\"", Sv(m), "\",code=\"", status, "\""))
      ->Add();
  metrics_
      ->GetHistogram("drive_gateway_request_seconds",
                     "HTTP request latency, head read to response written",
                     absl::StrCat("method=\"", Sv(m), "\""))
      ->Observe(absl::ToDoubleSeconds(elapsed));
  bytes_out_->Add(body_bytes_out);
}

bool Gateway::TryStartUpload() {
  int now = uploads_.fetch_add(1) + 1;
  if (now > options_.max_uploads) {
    uploads_.fetch_sub(1);
    return false;
  }
  uploads_in_flight_->Set(now);
  return true;
}

void Gateway::EndUpload(bool committed) {
  uploads_in_flight_->Set(uploads_.fetch_sub(1) - 1);
  (committed ? uploads_committed_ : uploads_failed_)->Add();
}

}  // namespace drive::gateway
