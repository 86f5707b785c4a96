// PUT (streaming upload), DELETE (to trash) and POST ?share (signed URLs).
//
// A PUT, in order:
//   1. limits and headers: Content-Length or chunked, at most
//      max_body_bytes (413), Content-Type and X-Drive-Mtime acceptable to
//      the coordinator and digests well-formed (400), a free upload slot
//      (503);
//   2. If-Match / If-None-Match: one fresh Stat; 412 when they fail, else
//      the version seen becomes the commit's expected version, so a
//      change racing the upload makes the commit fail (409);
//   3. "100 Continue" if asked; then the body flows socket -> BodyPipe ->
//      DriveClient::UploadStream on an upload thread, chunk by chunk
//      (memory per upload: the pipe plus parallel_chunks x 4 MiB);
//   4. digests checked, then Commit. A client that disconnects, times out
//      or sends a body whose digest does not match gets nothing committed:
//      UploadStream fails or Commit is never called. Chunks already sent
//      are unreferenced and left to garbage collection.

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/percent_encoding.h"
#include "common/strings.h"
#include "common/units.h"
#include "daemon/gateway/internal/request.h"
#include "daemon/gateway/listing.h"
#include "daemon/gateway/upload_attributes.h"
#include "daemon/gateway/upload_digest.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace drive::gateway::internal {

using beast_http::field;
using beast_http::verb;

namespace {

constexpr size_t kPipeBytes = 1 << 20;
constexpr size_t kBodyPiece = 256 << 10;  // Connection::ReadBody's piece

std::string Rfc3339Ms(int64_t unix_ms) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromUnixMillis(unix_ms),
                          absl::UTCTimeZone());
}

}  // namespace

void Request::ServePut() {
  if (!conn_->has_body() && !conn_->content_length()) {
    // No body at all (not even Content-Length: 0) is most likely a client
    // bug; an empty file is PUT with Content-Length: 0.
    return Fail(411, "PUT needs Content-Length or chunked transfer encoding");
  }
  // Before any body byte is read: a type or mtime the commit would refuse
  // must not cost the client its whole upload.
  auto attributes = ParseUploadAttributes(
      Header(field::content_type), Header("X-Drive-Mtime"),
      absl::ToUnixMillis(gw_->env()->Now()));
  if (!attributes.ok()) return Fail(attributes.status());
  attributes_ = std::move(*attributes);
  Conditions c{Header(field::if_match), Header(field::if_none_match),
               std::nullopt, Header(field::if_unmodified_since)};
  if (!c.if_match && !c.if_none_match && !c.if_unmodified_since) {
    return StartUpload(std::nullopt);
  }
  gw_->cluster()->FetchManifest(
      route_.account, route_.path,
      OnStrand([this, self = shared_from_this(),
                c](absl::StatusOr<FileRef> current) {
        if (!current.ok() && !absl::IsNotFound(current.status())) {
          return Fail(current.status());
        }
        std::optional<Validators> v;
        if (current.ok()) {
          v = Validators{EtagOf(**current),
                         absl::FromUnixMillis((*current)->committed_ms)};
        }
        if (EvaluatePreconditions(c, v ? &*v : nullptr, false,
                                  gw_->env()->Now()) !=
            Precondition::kProceed) {
          return Fail(412, current.ok()
                               ? "the file is at " + v->etag +
                                     ", which the preconditions exclude"
                               : std::string("the file does not exist"));
        }
        StartUpload(current.ok() ? (*current)->version : 0);
      }));
}

void Request::StartUpload(std::optional<uint64_t> expected_version) {
  auto digests = UploadDigests::FromHeaders(Header("X-Drive-Xxh3"),
                                            Header(field::content_md5));
  if (!digests.ok()) return Fail(digests.status());
  if (!gw_->TryStartUpload()) {
    return Fail(503, absl::StrCat("all ", gw_->options().max_uploads,
                                  " upload slots are busy; retry shortly"));
  }
  pipe_ = std::make_shared<BodyPipe>(kPipeBytes);
  auto shared_digests = std::make_shared<UploadDigests>(std::move(*digests));
  UploadSpec spec;
  spec.path = route_.path;
  spec.content_type = attributes_.content_type;
  spec.mtime_ms = attributes_.mtime_ms;
  spec.expected_version = expected_version;
  spec.read = [pipe = pipe_, digests = shared_digests](
                  char* buf, size_t max) -> absl::StatusOr<size_t> {
    auto n = pipe->Read(buf, max);
    if (n.ok()) digests->Update(std::string_view(buf, *n));
    return n;
  };
  spec.check = [digests = shared_digests](const ChunkId& hash) {
    return digests->Check(hash);
  };
  gw_->cluster()->Upload(
      route_.account, std::move(spec),
      [self = shared_from_this(),
       pipe = pipe_](absl::StatusOr<client::FileInfo> r) {
        pipe->Cancel();
        self->conn_->Post([self, r = std::move(r)]() mutable {
          self->FinishUpload(std::move(r));
        });
      });
  conn_->ContinueIfExpected([this, self = shared_from_this()] { PumpBody(); });
}

void Request::PumpBody() {
  if (conn_->closed() || pipe_->cancelled()) return;
  auto self = shared_from_this();
  if (pipe_->PauseUnlessFree(kBodyPiece, [self] {
        self->conn_->Post([self] { self->PumpBody(); });
      })) {
    return;
  }
  conn_->ReadBody([self](absl::StatusOr<std::string_view> piece) {
    if (!piece.ok()) {
      self->body_error_ = piece.status();
      self->pipe_->Finish(piece.status());
      return;
    }
    if (piece->empty()) return self->pipe_->Finish(absl::OkStatus());
    self->pipe_->Push(*piece);
    self->PumpBody();
  });
}

void Request::FinishUpload(absl::StatusOr<client::FileInfo> committed) {
  gw_->EndUpload(committed.ok());
  if (!committed.ok()) {
    spdlog::info(
        "event=gateway_upload_failed account={} path=\"{}\" error=\"{}\"",
        route_.account, route_.path, committed.status().ToString());
    if (conn_->closed()) return;
    if (!body_error_.ok()) {
      if (absl::IsResourceExhausted(body_error_)) {
        return Fail(413, Std(body_error_.message()));
      }
      // The client went away or stalled: there is nobody to answer.
      return conn_->Abort();
    }
    if (absl::IsAborted(committed.status())) {
      return Fail(409,
                  "the file changed while it was uploaded; nothing "
                  "committed: " +
                      std::string(Std(committed.status().message())));
    }
    conn_->CloseAfterResponse();
    return Fail(committed.status());
  }
  auto file = std::make_shared<const client::FileInfo>(std::move(*committed));
  gw_->cluster()->UpdateManifest(route_.account, route_.path, file);
  if (conn_->closed()) return;
  int status = file->version == 1 ? 201 : 200;
  ResponseHead h = Head(status);
  h.set(field::content_type, "application/json");
  h.set(field::cache_control, "no-store");
  h.set(field::etag, EtagOf(*file));
  h.set(field::location, absl::StrCat("/v1/", route_.account, "/",
                                      PercentEncodePath(file->path)));
  h.set("X-Drive-Durability", file->durability);
  h.set("X-Drive-Version", std::to_string(file->version));
  Respond(
      std::move(h),
      FileEntryJson(*file, FileUrl(*file, 0))
              .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
          "\n");
}

void Request::ServeDelete() {
  gw_->cluster()->Delete(
      route_.account, route_.path,
      [self = shared_from_this()](absl::StatusOr<client::TrashItem> t) {
        if (t.ok()) {
          self->gw_->cluster()->UpdateManifest(self->route_.account,
                                               self->route_.path, nullptr);
        }
        self->conn_->Post([self, t = std::move(t)] {
          if (self->conn_->closed()) return;
          if (!t.ok()) return self->Fail(t.status());
          nlohmann::ordered_json j = {
              {"name", self->route_.path},
              {"trash_id", t->trash_id},
              {"purge_after", Rfc3339Ms(t->purge_after_ms)}};
          self->RespondJson(
              200,
              j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                  "\n");
        });
      });
}

void Request::ServeShare() {
  if (auth_.signed_url) {
    return Fail(403,
                "a signed URL cannot create shares; use the account "
                "token");
  }
  std::string method = target_.get("method", "GET");
  if (method != "GET" &&
      !(method == "PUT" && route_.kind == Route::Kind::kFile)) {
    return Fail(400, "method must be GET (or PUT, for a file)");
  }
  auto ttl = ParseDurationText(target_.get("ttl", "1h"));
  if (!ttl.ok() || *ttl <= absl::ZeroDuration() ||
      *ttl > gw_->options().max_share_ttl) {
    return Fail(
        400, absl::StrCat("ttl must be a duration like 2s, 1h or 7d, at "
                          "most ",
                          absl::FormatDuration(gw_->options().max_share_ttl)));
  }
  std::string base = gw_->options().public_url;
  if (base.empty()) {
    std::string host = Header(field::host).value_or("");
    for (char ch : host) {
      bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' ||
                ch == ':' || ch == '[' || ch == ']';
      if (!ok) host.clear();
    }
    if (host.empty()) {
      return Fail(400, "no usable Host header; set --public-url");
    }
    base = "http://" + host;
  }
  int64_t expires = NowUnix() + absl::ToInt64Seconds(*ttl);
  std::string signed_path;  // decoded, as signed
  std::string url_path;     // encoded, as sent
  switch (route_.kind) {
    case Route::Kind::kFile:
      signed_path = FilePath(route_.path);
      url_path = "/v1/" + route_.account + "/" + PercentEncodePath(route_.path);
      break;
    case Route::Kind::kListing:
      signed_path = FilePath(route_.path);
      url_path = "/v1/" + route_.account + "/" + PercentEncodePath(route_.path);
      break;
    default:
      signed_path = "/gallery/" + route_.account + "/" + route_.path;
      url_path =
          "/gallery/" + route_.account + "/" + PercentEncodePath(route_.path);
  }
  auto respond = [this, self = shared_from_this(), method, expires, base,
                  signed_path, url_path] {
    std::string url = absl::StrCat(
        base, url_path, "?", gw_->signer().Sign(method, signed_path, expires));
    nlohmann::ordered_json j = {{"url", url},
                                {"method", method},
                                {"expires", expires},
                                {"expires_at", Rfc3339Ms(expires * 1000)}};
    RespondJson(200, j.dump() + "\n");
  };
  if (route_.kind != Route::Kind::kFile || method != "GET") return respond();
  // Sharing a file that does not exist is almost always a typo.
  gw_->cluster()->FetchManifest(route_.account, route_.path,
                                OnStrand([this, self = shared_from_this(),
                                          respond](absl::StatusOr<FileRef> f) {
                                  if (!f.ok()) return Fail(f.status());
                                  respond();
                                }));
}

}  // namespace drive::gateway::internal
