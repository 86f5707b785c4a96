#include "tests/fuzz/target_checks.h"

#include <string>

#include "absl/status/status.h"
#include "common/file_path.h"
#include "common/names.h"
#include "common/percent_encoding.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "daemon/gateway/http_errors.h"
#include "daemon/gateway/request_target.h"

namespace drive::fuzz {

namespace gw = drive::gateway;

namespace {

void CheckRefusal(const absl::Status& s) {
  int status = gw::HttpStatusFor(s);
  DRIVE_CHECK(status == 400 || status == 404);
  DRIVE_CHECK(!gw::ErrorJson(status, drive::Std(s.message())).empty());
}

void CheckTarget(const gw::Target& t) {
  DRIVE_CHECK(!t.path.empty() && t.path.front() == '/');
  DRIVE_CHECK(t.path.find('\0') == std::string::npos);
  std::string framed = t.path + "/";
  DRIVE_CHECK(framed.find("/../") == std::string::npos);
  DRIVE_CHECK(framed.find("/./") == std::string::npos);
  for (const auto& [key, value] : t.query) {
    DRIVE_CHECK(key.find('\0') == std::string::npos);
    DRIVE_CHECK(value.find('\0') == std::string::npos);
  }
}

void CheckRoute(const gw::Route& r) {
  using Kind = gw::Route::Kind;
  if (r.kind == Kind::kHealthz || r.kind == Kind::kReadyz ||
      r.kind == Kind::kMetrics) {
    return;
  }
  DRIVE_CHECK(drive::ValidateAccountName(r.account).ok());
  if (r.kind == Kind::kFile) {
    DRIVE_CHECK(drive::ValidateFilePath(r.path).ok());
  } else {
    DRIVE_CHECK(drive::ValidatePathPrefix(r.path).ok());
  }
  // The gateway's own links to this route lead back to it.
  std::string link = (r.kind == Kind::kGallery ? "/gallery/" : "/v1/") +
                     r.account + "/" + drive::PercentEncodePath(r.path) +
                     "?v=" + drive::PercentEncodeQueryValue(r.path);
  auto t = gw::ParseTarget(link);
  DRIVE_CHECK(t.ok());
  DRIVE_CHECK(t->get("v") == r.path);
  auto back = gw::ParseRoute(*t);
  DRIVE_CHECK(back.ok());
  DRIVE_CHECK(back->kind == r.kind);
  DRIVE_CHECK(back->account == r.account);
  DRIVE_CHECK(back->path == r.path);
}

}  // namespace

void CheckRequestTarget(std::string_view raw) {
  auto target = gw::ParseTarget(raw);
  if (!target.ok()) {
    DRIVE_CHECK(target.status().code() == absl::StatusCode::kInvalidArgument);
    return CheckRefusal(target.status());
  }
  CheckTarget(*target);
  auto route = gw::ParseRoute(*target);
  if (!route.ok()) return CheckRefusal(route.status());
  CheckRoute(*route);
}

}  // namespace drive::fuzz
