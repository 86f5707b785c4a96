#pragma once

// One HTTP request in flight: the state and steps of the gateway's
// handlers. Every step runs on the connection's strand (OnStrand hops back
// from executor threads and drops the step if the connection closed
// meanwhile).
//
// Lifetime rule: a Request is owned only by the callbacks that will run
// one of its steps. Gateway::Handle drops its pointer when Run returns and
// the Connection holds none, so a callback with a bare `this` can run on a
// freed Request (a download of a file larger than --cache-max-file once
// did: its write continuation outlived the last strand task). Therefore
// every lambda that captures `this` also captures `self =
// shared_from_this()`, whoever calls it and however soon; OnStrand adds
// that capture too. The reverse links (Connection::Write's `next`, the
// prefetch waiter, the BodyPipe's resume) are cleared when they run or
// when the connection closes (Connection::Close, Abandon, BodyPipe::Cancel),
// so a Request never keeps itself alive.
// Split by concern: request.cc (routing, auth, CORS, errors),
// request_read.cc (GET/HEAD of files, listings, the gallery),
// request_write.cc (PUT, DELETE, shares).

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "daemon/gateway/body_pipe.h"
#include "daemon/gateway/byte_range.h"
#include "daemon/gateway/cluster.h"
#include "daemon/gateway/conditional.h"
#include "daemon/gateway/connection.h"
#include "daemon/gateway/gateway.h"
#include "daemon/gateway/request_target.h"
#include "daemon/gateway/upload_attributes.h"

namespace drive::gateway::internal {

// How the request proved it may touch route().account.
struct Auth {
  bool signed_url = false;     // else a bearer token of the account
  int64_t expires_unix_s = 0;  // of the signed URL
};

class Request : public std::enable_shared_from_this<Request> {
 public:
  Request(Gateway* gateway, std::shared_ptr<Connection> conn)
      : gw_(gateway), conn_(std::move(conn)) {}

  void Run();

 private:
  // request.cc
  void Dispatch();
  void Authorize(std::function<void()> next);
  void Preflight();
  ResponseHead Head(int status) const;
  void Respond(ResponseHead head, std::string body);
  void RespondJson(int status, std::string json);
  void Fail(const absl::Status& s);
  void Fail(int status, std::string_view message);
  // The answer to a refused bearer token: 403 for another account's, 401
  // for an unknown one, the status's own code otherwise.
  void FailToken(const absl::Status& s);
  std::optional<std::string> Header(beast_http::field f) const;
  std::optional<std::string> Header(std::string_view name) const;
  std::string_view Method() const;
  int64_t NowUnix() const;
  // "/v1/{account}/{path}" of a file (decoded; the signed form).
  std::string FilePath(const std::string& path) const;
  // The URL a listing or gallery gives for a file: content-addressed
  // (?v=hash) and, on a signed request, signed with the same expiry.
  std::string FileUrl(const client::FileInfo& f, int64_t sign_until) const;

  // The connection closed: drops the callbacks this request holds (the
  // prefetch waiter), which hold this request.
  void Abandon() { prefetch_.reset(); }
  // Wraps a callback so it runs on the strand, keeping this alive.
  template <typename F>
  auto OnStrand(F f) {
    return [self = shared_from_this(), f = std::move(f)](auto&& value) mutable {
      self->conn_->Post([self, f = std::move(f),
                         v = std::forward<decltype(value)>(value)]() mutable {
        if (self->conn_->closed()) return self->Abandon();
        f(std::move(v));
      });
    };
  }

  // request_read.cc
  void ServeFile();
  void OnManifest(absl::StatusOr<FileRef> file);
  void SendFileHead(const std::string& content_type);
  std::string CacheControl(bool immutable) const;
  void GetChunk(size_t index,
                std::function<void(absl::StatusOr<ChunkRef>)> done);
  void Prefetch(size_t index);
  void StreamFrom(size_t index, uint64_t chunk_start);
  void ServeListing();
  void ServeGallery();

  // request_write.cc
  void ServePut();
  void StartUpload(std::optional<uint64_t> expected_version);
  void PumpBody();
  void FinishUpload(absl::StatusOr<client::FileInfo> committed);
  void ServeDelete();
  void ServeShare();

  Gateway* const gw_;
  const std::shared_ptr<Connection> conn_;
  Target target_;
  Route route_;
  Auth auth_;
  std::string origin_;

  // GET/HEAD of a file.
  FileRef file_;
  ResponseHead head_;
  bool head_sent_ = false;
  uint64_t begin_ = 0, end_ = 0;  // byte range [begin_, end_) to send
  struct Prefetched {
    size_t index;
    std::optional<absl::StatusOr<ChunkRef>> result;
    std::function<void(absl::StatusOr<ChunkRef>)> waiter;
  };
  std::optional<Prefetched> prefetch_;

  // PUT.
  UploadAttributes attributes_;
  std::shared_ptr<BodyPipe> pipe_;
  absl::Status body_error_;
};

}  // namespace drive::gateway::internal
