// GET and HEAD: files (verified chunks, ranges, conditionals), listings
// and the gallery page.
//
// A file GET, in order:
//   1. the manifest from the cache, else one Stat (then cached briefly);
//   2. ?v=HASH, when given, must name the current content (404 otherwise);
//   3. preconditions (RFC 9110 order) -> 304 / 412;
//   4. Range (if If-Range allows) -> 206 / 416, else 200;
//   5. the head, then each chunk the range touches, from the chunk cache or
//      fetched verified (the next one prefetched while the current one is
//      written). A fetch failing after the head went out aborts the
//      connection: a truncated body, never wrong bytes.

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/content_type.h"
#include "common/file_path.h"
#include "common/percent_encoding.h"
#include "common/strings.h"
#include "daemon/gateway/gallery_page.h"
#include "daemon/gateway/http_errors.h"
#include "daemon/gateway/internal/request.h"
#include "daemon/gateway/listing.h"

namespace drive::gateway::internal {

using beast_http::field;
using beast_http::verb;

namespace {
constexpr int64_t kYearSeconds = 365 * 24 * 3600;
}  // namespace

std::string Request::CacheControl(bool immutable) const {
  // Content-addressed URLs (?v=HASH) never change meaning; plain paths can
  // be overwritten, so caches revalidate (cheap: ETag -> 304). Signed URLs
  // may be cached by shared caches, but not beyond their expiry.
  if (auth_.signed_url) {
    int64_t left = std::max<int64_t>(0, auth_.expires_unix_s - NowUnix());
    return immutable
               ? absl::StrCat("public, max-age=", std::min(left, kYearSeconds),
                              ", immutable")
               : "public, no-cache";
  }
  return immutable ? "private, max-age=31536000, immutable"
                   : "private, no-cache";
}

void Request::ServeFile() {
  if (auto cached =
          gw_->cluster()->CachedManifest(route_.account, route_.path)) {
    return OnManifest(std::move(*cached));
  }
  gw_->cluster()->FetchManifest(
      route_.account, route_.path,
      OnStrand([this, self = shared_from_this()](absl::StatusOr<FileRef> f) {
        OnManifest(std::move(f));
      }));
}

void Request::OnManifest(absl::StatusOr<FileRef> file) {
  if (!file.ok()) return Fail(file.status());
  file_ = std::move(*file);
  const client::FileInfo& f = *file_;
  std::string want = target_.get("v");
  bool immutable = !want.empty();
  if (immutable && want != f.hash.ToHex()) {
    return Fail(404, absl::StrCat("version ", want,
                                  " is not the current "
                                  "content of ",
                                  f.path, " (now ", f.hash.ToHex(), ")"));
  }
  Validators validators{EtagOf(f), absl::FromUnixMillis(f.committed_ms)};
  Conditions c{Header(field::if_match), Header(field::if_none_match),
               Header(field::if_modified_since),
               Header(field::if_unmodified_since)};
  head_ = Head(200);
  head_.set(field::etag, validators.etag);
  head_.set(field::last_modified, FormatHttpDate(validators.last_modified));
  head_.set(field::cache_control, CacheControl(immutable));
  head_.set("X-Drive-Durability", f.durability);
  head_.set("X-Drive-Version", std::to_string(f.version));
  switch (EvaluatePreconditions(c, &validators, true, gw_->env()->Now())) {
    case Precondition::kNotModified:
      head_.result(304);
      return conn_->Write(&head_, nullptr, {}, true, nullptr);
    case Precondition::kPreconditionFailed:
      return Fail(412, "the file changed: " + validators.etag +
                           " does not satisfy the request's preconditions");
    case Precondition::kProceed:
      break;
  }
  begin_ = 0;
  end_ = f.size;
  std::optional<std::string> range = Header(field::range);
  if (range && conn_->request().method() == verb::get &&
      IfRangeAllows(Header(field::if_range), validators)) {
    RangeRequest r = ParseRange(*range, f.size);
    if (r.kind == RangeRequest::Kind::kUnsatisfiable) {
      ResponseHead h = Head(416);
      h.set(field::content_range, UnsatisfiedContentRange(f.size));
      h.set(field::content_type, "application/json");
      return Respond(
          std::move(h),
          ErrorJson(416, absl::StrCat("range '", *range,
                                      "' selects no byte of ", f.size)));
    }
    if (r.kind == RangeRequest::Kind::kPartial) {
      head_.result(206);
      head_.set(field::content_range, ContentRange(r.range, f.size));
      begin_ = r.range.first;
      end_ = r.range.last + 1;
    }
  }
  head_.set(field::content_length, std::to_string(end_ - begin_));
  head_.set(field::accept_ranges, "bytes");
  head_.set("X-Content-Type-Options", "nosniff");
  // A stored HTML or SVG file must not run script under the gateway's
  // origin when opened directly.
  head_.set("Content-Security-Policy", "sandbox");
  if (!f.content_type.empty() || f.chunks.empty()) {
    return SendFileHead(ServableContentType(f.content_type));
  }
  // No stored type: sniff the first bytes (the cache makes this cheap).
  GetChunk(0,
           [this, self = shared_from_this()](absl::StatusOr<ChunkRef> first) {
             if (!first.ok()) return Fail(first.status());
             SendFileHead(GuessContentType(
                 file_->path, std::string_view(**first).substr(0, 64)));
           });
}

void Request::SendFileHead(const std::string& content_type) {
  head_.set(field::content_type, content_type);
  if (conn_->request().method() == verb::head || begin_ == end_) {
    return conn_->Write(&head_, nullptr, {}, true, nullptr);
  }
  StreamFrom(0, 0);
}

void Request::GetChunk(size_t index,
                       std::function<void(absl::StatusOr<ChunkRef>)> done) {
  if (prefetch_ && prefetch_->index == index) {
    if (prefetch_->result) {
      auto r = std::move(*prefetch_->result);
      prefetch_.reset();
      return done(std::move(r));
    }
    prefetch_->waiter = std::move(done);
    return;
  }
  const ChunkId& id = file_->chunks[index].id;
  if (ChunkRef hit = gw_->cluster()->CachedChunk(route_.account, id)) {
    return done(std::move(hit));
  }
  gw_->cluster()->FetchChunk(route_.account, file_, index,
                             OnStrand(std::move(done)));
}

void Request::Prefetch(size_t index) {
  if (prefetch_ || index >= file_->chunks.size()) return;
  if (gw_->cluster()->CachedChunk(route_.account, file_->chunks[index].id)) {
    return;
  }
  prefetch_ = Prefetched{index, std::nullopt, nullptr};
  gw_->cluster()->FetchChunk(route_.account, file_, index,
                             OnStrand([this, self = shared_from_this(),
                                       index](absl::StatusOr<ChunkRef> r) {
                               if (!prefetch_ || prefetch_->index != index)
                                 return;
                               if (prefetch_->waiter) {
                                 auto waiter = std::move(prefetch_->waiter);
                                 prefetch_.reset();
                                 return waiter(std::move(r));
                               }
                               prefetch_->result = std::move(r);
                             }));
}

void Request::StreamFrom(size_t index, uint64_t chunk_start) {
  // Skip chunks before the range.
  while (index < file_->chunks.size() &&
         chunk_start + file_->chunks[index].size <= begin_) {
    chunk_start += file_->chunks[index].size;
    ++index;
  }
  if (index >= file_->chunks.size()) {
    return conn_->Abort();  // manifest shorter than its size: a bug upstream
  }
  const uint64_t size = file_->chunks[index].size;
  const bool last = chunk_start + size >= end_;
  GetChunk(index, [this, self = shared_from_this(), index, chunk_start, size,
                   last](absl::StatusOr<ChunkRef> data) {
    if (data.ok() && (*data)->size() != size) {
      data = absl::DataLossError("chunk size differs from the manifest");
    }
    if (!data.ok()) {
      if (!head_sent_) return Fail(data.status());
      return conn_->Abort();
    }
    if (!last) Prefetch(index + 1);
    uint64_t from = std::max(begin_, chunk_start) - chunk_start;
    uint64_t to = std::min(end_, chunk_start + size) - chunk_start;
    std::string_view piece = std::string_view(**data).substr(from, to - from);
    const ResponseHead* head = head_sent_ ? nullptr : &head_;
    head_sent_ = true;
    conn_->Write(head, std::move(*data), piece, last,
                 [this, self = shared_from_this(), index, chunk_start, size] {
                   StreamFrom(index + 1, chunk_start + size);
                 });
  });
}

void Request::ServeListing() {
  std::string prefix = route_.path + target_.get("prefix");
  if (absl::Status s = ValidatePathPrefix(prefix); !s.ok()) return Fail(s);
  uint32_t limit = 1000;
  if (target_.has("limit") &&
      (!absl::SimpleAtoi(target_.get("limit"), &limit) || limit < 1 ||
       limit > 10000)) {
    return Fail(400, "limit must be 1..10000");
  }
  std::string cursor = target_.get("cursor");
  gw_->cluster()->List(
      route_.account, prefix, cursor, limit,
      [self = shared_from_this(),
       prefix](absl::StatusOr<client::Listing> listing) {
        self->conn_->Post([self, prefix, listing = std::move(listing)] {
          if (self->conn_->closed()) return;
          if (!listing.ok()) return self->Fail(listing.status());
          int64_t sign_until =
              self->auth_.signed_url ? self->auth_.expires_unix_s : 0;
          std::string body =
              ListingJson(self->route_.account, prefix, listing->files,
                          listing->next_cursor, [&](const client::FileInfo& f) {
                            return self->FileUrl(f, sign_until);
                          });
          self->RespondJson(200, std::move(body));
        });
      });
}

void Request::ServeGallery() {
  std::string prefix = route_.path;
  std::string cursor = target_.get("cursor");
  // Links on a token-opened page expire on a full hour, so a reload within
  // the hour yields the same URLs and the browser's cache keeps working.
  int64_t expires =
      auth_.signed_url
          ? auth_.expires_unix_s
          : (NowUnix() + absl::ToInt64Seconds(gw_->options().gallery_link_ttl) +
             3599) /
                3600 * 3600;
  uint32_t limit = gw_->options().gallery_page_size;
  gw_->cluster()->List(
      route_.account, prefix, cursor, limit,
      [self = shared_from_this(), prefix,
       expires](absl::StatusOr<client::Listing> listing) {
        self->conn_->Post([self, prefix, expires,
                           listing = std::move(listing)] {
          if (self->conn_->closed()) return;
          if (!listing.ok()) return self->Fail(listing.status());
          GalleryPage page;
          page.account = self->route_.account;
          page.prefix = prefix;
          page.links_expire_unix_s = expires;
          for (const auto& f : listing->files) {
            GalleryEntry e{f.path.substr(prefix.size()),
                           self->FileUrl(f, expires), f.content_type, f.size};
            (BrowserDisplayableImage(f.content_type) ? page.images
                                                     : page.others)
                .push_back(std::move(e));
          }
          if (!listing->next_cursor.empty()) {
            page.next_url = absl::StrCat(
                "/gallery/", self->route_.account, "/",
                PercentEncodePath(prefix),
                "?cursor=", PercentEncodeQueryValue(listing->next_cursor));
            if (self->auth_.signed_url) {
              absl::StrAppend(&page.next_url, "&kid=",
                              PercentEncodeQueryValue(self->target_.get("kid")),
                              "&expires=", self->target_.get("expires"),
                              "&sig=", self->target_.get("sig"));
            }
          }
          ResponseHead h = self->Head(200);
          h.set(field::content_type, "text/html; charset=utf-8");
          h.set(field::cache_control, "private, no-cache");
          h.set("Referrer-Policy", "no-referrer");
          h.set("Content-Security-Policy",
                "default-src 'none'; img-src 'self'; style-src "
                "'unsafe-inline'; base-uri 'none'; form-action 'none'");
          self->Respond(std::move(h), RenderGallery(page));
        });
      });
}

}  // namespace drive::gateway::internal
