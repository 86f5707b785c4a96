#include "daemon/gateway/internal/request.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/metadata_value.h"
#include "common/percent_encoding.h"
#include "common/strings.h"
#include "daemon/gateway/http_errors.h"

namespace drive::gateway::internal {

using beast_http::field;
using beast_http::verb;

namespace {

std::string_view View(boost::beast::string_view v) {
  return {v.data(), v.size()};
}

constexpr char kExposeHeaders[] =
    "ETag, Content-Length, Content-Range, Accept-Ranges, Last-Modified, "
    "X-Drive-Durability, X-Drive-Version";
constexpr char kAllowHeaders[] =
    "Authorization, Range, If-Match, If-None-Match, If-Modified-Since, "
    "If-Unmodified-Since, If-Range, Content-Type, Content-MD5, X-Drive-Xxh3, "
    "X-Drive-Mtime";

// Methods each kind of route answers (for 405 and preflights).
const char* AllowedMethods(Route::Kind kind) {
  switch (kind) {
    case Route::Kind::kFile:
      return "GET, HEAD, PUT, DELETE, POST, OPTIONS";
    case Route::Kind::kListing:
    case Route::Kind::kGallery:
      return "GET, HEAD, POST, OPTIONS";
    default:
      return "GET, HEAD";
  }
}

}  // namespace

void Request::Run() { Dispatch(); }

std::optional<std::string> Request::Header(field f) const {
  const auto& req = conn_->request();
  auto it = req.find(f);
  if (it == req.end()) return std::nullopt;
  return std::string(View(it->value()));
}

std::optional<std::string> Request::Header(std::string_view name) const {
  const auto& req = conn_->request();
  auto it = req.find(boost::beast::string_view(name.data(), name.size()));
  if (it == req.end()) return std::nullopt;
  return std::string(View(it->value()));
}

std::string_view Request::Method() const {
  return View(conn_->request().method_string());
}

int64_t Request::NowUnix() const {
  return absl::ToUnixSeconds(gw_->env()->Now());
}

ResponseHead Request::Head(int status) const {
  ResponseHead h;
  h.result(status);
  if (!route_.account.empty() && !gw_->cors().empty()) {
    h.set(field::vary, "Origin");
    // The origin is echoed only when it can be written as a header value.
    if (IsPrintableAscii(origin_) &&
        gw_->cors().Allows(route_.account, origin_)) {
      h.set(field::access_control_allow_origin, origin_);
      h.set(field::access_control_expose_headers, kExposeHeaders);
    }
  }
  return h;
}

void Request::Respond(ResponseHead head, std::string body) {
  conn_->Respond(std::move(head), std::move(body));
}

void Request::RespondJson(int status, std::string json) {
  ResponseHead h = Head(status);
  h.set(field::content_type, "application/json");
  h.set(field::cache_control, "no-store");
  Respond(std::move(h), std::move(json));
}

void Request::Fail(int status, std::string_view message) {
  ResponseHead h = Head(status);
  h.set(field::content_type, "application/json");
  h.set(field::cache_control, "no-store");
  if (status == 401) h.set(field::www_authenticate, "Bearer realm=\"drive\"");
  if (status == 503) h.set(field::retry_after, "5");
  if (status == 405) h.set(field::allow, AllowedMethods(route_.kind));
  Respond(std::move(h), ErrorJson(status, message));
}

void Request::Fail(const absl::Status& s) {
  Fail(HttpStatusFor(s), Std(s.message()));
}

std::string Request::FilePath(const std::string& path) const {
  return absl::StrCat("/v1/", route_.account, "/", path);
}

std::string Request::FileUrl(const client::FileInfo& f,
                             int64_t sign_until) const {
  std::string url =
      absl::StrCat("/v1/", route_.account, "/", PercentEncodePath(f.path),
                   "?v=", f.hash.ToHex());
  if (sign_until > 0) {
    absl::StrAppend(&url, "&",
                    gw_->signer().Sign("GET", FilePath(f.path), sign_until));
  }
  return url;
}

void Request::Dispatch() {
  origin_ = Header(field::origin).value_or("");
  auto target = ParseTarget(View(conn_->request().target()));
  if (!target.ok()) return Fail(target.status());
  target_ = std::move(*target);
  auto route = ParseRoute(target_);
  if (!route.ok()) return Fail(route.status());
  route_ = std::move(*route);
  const verb method = conn_->request().method();
  const bool read = method == verb::get || method == verb::head;

  switch (route_.kind) {
    case Route::Kind::kHealthz:
    case Route::Kind::kReadyz:
    case Route::Kind::kMetrics: {
      if (!read) return Fail(405, "this endpoint answers GET and HEAD");
      ResponseHead h = Head(200);
      h.set(field::cache_control, "no-store");
      std::string body;
      if (route_.kind == Route::Kind::kMetrics) {
        h.set(field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        body = gw_->metrics()->Render();
      } else if (route_.kind == Route::Kind::kHealthz) {
        h.set(field::content_type, "text/plain");
        body = "ok\n";
      } else {
        h.set(field::content_type, "text/plain");
        if (gw_->draining()) {
          h.result(503);
          body = "draining\n";
        } else if (!gw_->cluster()->ready()) {
          h.result(503);
          body = "coordinator unreachable\n";
        } else {
          body = "ready\n";
        }
      }
      return Respond(std::move(h), std::move(body));
    }
    default:
      break;
  }
  if (method == verb::options) return Preflight();
  const bool share = method == verb::post && target_.has("share");
  const bool allowed = read || share ||
                       (route_.kind == Route::Kind::kFile &&
                        (method == verb::put || method == verb::delete_));
  if (!allowed) {
    return Fail(
        405, absl::StrCat(Sv(Method()), " is not allowed here (allowed: ",
                          AllowedMethods(route_.kind), "; POST needs ?share)"));
  }
  if (method != verb::put && conn_->has_body() &&
      conn_->content_length().value_or(1) > 0) {
    return Fail(413, absl::StrCat(Sv(Method()), " takes no request body"));
  }
  Authorize([this, self = shared_from_this(), method, read, share] {
    if (share) return ServeShare();
    switch (route_.kind) {
      case Route::Kind::kFile:
        if (read) return ServeFile();
        if (method == verb::put) return ServePut();
        return ServeDelete();
      case Route::Kind::kListing:
        return ServeListing();
      default:
        return ServeGallery();
    }
  });
}

void Request::Authorize(std::function<void()> next) {
  if (target_.has("sig") || target_.has("kid") || target_.has("expires")) {
    if (!target_.has("sig") || !target_.has("kid") || !target_.has("expires")) {
      return Fail(400, "a signed URL needs kid, expires and sig");
    }
    absl::Status s = gw_->signer().Verify(
        Method(), target_.path, target_.get("kid"), target_.get("expires"),
        target_.get("sig"), NowUnix());
    if (!s.ok()) return Fail(s);
    auth_.signed_url = true;
    auth_.expires_unix_s = std::stoll(target_.get("expires"));
    return next();
  }
  std::optional<std::string> header = Header(field::authorization);
  if (!header) {
    return Fail(401,
                "authentication required: Authorization: Bearer <account "
                "token>, or a signed URL");
  }
  std::string_view value(*header);
  if (value.size() < 7 ||
      !absl::EqualsIgnoreCase(Sv(value.substr(0, 7)), "bearer ")) {
    return Fail(401, "the Authorization header must be 'Bearer <token>'");
  }
  std::string token(Std(absl::StripAsciiWhitespace(Sv(value.substr(7)))));
  // The token travels to the coordinator as gRPC metadata, which takes
  // printable ASCII only; anything else cannot be a token of ours.
  if (!ValidateMetadataValue("bearer token", token).ok()) {
    return Fail(401, "unknown or revoked token");
  }
  if (auto verdict =
          gw_->cluster()->CachedTokenVerdict(route_.account, token)) {
    if (!verdict->ok()) return FailToken(*verdict);
    return next();
  }
  gw_->cluster()->VerifyToken(
      route_.account, token,
      OnStrand([this, self = shared_from_this(),
                next = std::move(next)](absl::Status s) {
        if (!s.ok()) return FailToken(s);
        next();
      }));
}

void Request::FailToken(const absl::Status& s) {
  if (absl::IsPermissionDenied(s)) {
    return Fail(
        403, "this token does not grant access to account " + route_.account);
  }
  if (absl::IsUnauthenticated(s)) return Fail(401, "unknown or revoked token");
  Fail(s);
}

void Request::Preflight() {
  ResponseHead h = Head(204);
  h.set(field::allow, AllowedMethods(route_.kind));
  if (!origin_.empty()) {
    if (!gw_->cors().Allows(route_.account, origin_)) {
      return Fail(403, "origin " + origin_ + " may not use account " +
                           route_.account + " (see --cors)");
    }
    h.set(field::access_control_allow_methods, AllowedMethods(route_.kind));
    h.set(field::access_control_allow_headers, kAllowHeaders);
    h.set(field::access_control_max_age, "600");
  }
  h.set(field::content_length, "0");
  conn_->Write(&h, nullptr, {}, true, nullptr);
}

}  // namespace drive::gateway::internal
