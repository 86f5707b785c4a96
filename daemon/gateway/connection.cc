#include "daemon/gateway/connection.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "common/metadata_value.h"
#include "common/strings.h"
#include "daemon/gateway/conditional.h"
#include "daemon/gateway/http_errors.h"
#include "daemon/gateway/request_framing.h"
#include "spdlog/spdlog.h"

namespace drive::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

// Bytes written per async_write: a client must take this much within the
// I/O timeout, and one connection never monopolises a thread for long.
constexpr size_t kWriteSlice = 512 << 10;
// Bytes read per body piece.
constexpr size_t kBodyPiece = 256 << 10;
// Lingering close: how long and how much of an unread request body is
// drained after the final response, so the client is not reset before it
// reads that response.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 1 << 20;

std::string_view View(beast::string_view v) { return {v.data(), v.size()}; }

// The Date header, formatted once per second per thread.
const std::string& DateNow() {
  thread_local int64_t second = -1;
  thread_local std::string text;
  absl::Time now = absl::Now();
  if (absl::ToUnixSeconds(now) != second) {
    second = absl::ToUnixSeconds(now);
    text = FormatHttpDate(now);
  }
  return text;
}

// Every value the gateway writes into a response header is printable
// ASCII: values come from stored data (content types) and from requests
// (origins), and a CR or LF in one would start a header of its own. A
// value that is not is left out, never written.
bool WritableField(const beast_http::fields::value_type& f) {
  std::string_view value = View(f.value());
  if (IsPrintableAscii(value)) return true;
  spdlog::warn("event=gateway_header_dropped name={} bytes={}",
               View(f.name_string()), value.size());
  return false;
}

std::string Serialize(const ResponseHead& head, bool keep_alive) {
  std::string out;
  out.reserve(512);
  out.append("HTTP/1.1 ");
  out.append(std::to_string(head.result_int()));
  out.push_back(' ');
  out.append(View(beast_http::obsolete_reason(head.result())));
  out.append("\r\n");
  for (const auto& f : head) {
    if (!WritableField(f)) continue;
    out.append(View(f.name_string()));
    out.append(": ");
    out.append(View(f.value()));
    out.append("\r\n");
  }
  out.append("Date: ");
  out.append(DateNow());
  out.append(keep_alive ? "\r\nConnection: keep-alive\r\n\r\n"
                        : "\r\nConnection: close\r\n\r\n");
  return out;
}

}  // namespace

Connection::Connection(tcp::socket socket, RequestHandler* handler,
                       const ConnectionLimits& limits,
                       std::function<void(Connection*)> on_close)
    : stream_(std::move(socket)),
      handler_(handler),
      limits_(limits),
      on_close_(std::move(on_close)) {
  beast::error_code ec;
  stream_.socket().set_option(tcp::no_delay(true), ec);
}

Connection::~Connection() {
  if (on_close_) on_close_(this);
}

void Connection::Start() {
  Post([self = shared_from_this()] { self->ReadHead(); });
}

void Connection::Post(std::function<void()> fn) {
  asio::post(stream_.get_executor(), std::move(fn));
}

void Connection::ReadHead() {
  if (closed_) return;
  if (handler_->draining()) return Close();
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(limits_.max_header_bytes));
  parser_->body_limit(limits_.max_body_bytes);
  idle_ = true;
  stream_.expires_after(absl::ToChronoMilliseconds(limits_.header_timeout));
  beast_http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) {
        self->OnHead(ec);
      });
}

void Connection::OnHead(beast::error_code ec) {
  idle_ = false;
  if (closed_) return;
  started_ = std::chrono::steady_clock::now();
  status_ = 0;
  body_bytes_out_ = 0;
  close_after_ = false;
  if (ec == beast_http::error::header_limit) {
    return RejectHead(431, absl::StrCat("request head larger than ",
                                        limits_.max_header_bytes, " bytes"));
  }
  if (ec == beast_http::error::body_limit) {
    return RejectHead(413, absl::StrCat("body larger than ",
                                        limits_.max_body_bytes, " bytes"));
  }
  if (ec == beast_http::error::end_of_stream ||
      ec == beast_http::error::partial_message || ec == asio::error::eof ||
      ec == beast::error::timeout || ec == asio::error::operation_aborted ||
      ec == asio::error::connection_reset) {
    return Close();  // idle client left, or never finished its head
  }
  if (ec) return RejectHead(400, "malformed request: " + ec.message());
  if (absl::Status s = CheckFraming(); !s.ok()) {
    return RejectHead(HttpStatusFor(s), Std(s.message()));
  }
  if (request().target().size() > limits_.max_target_bytes) {
    return RejectHead(414, absl::StrCat("request target longer than ",
                                        limits_.max_target_bytes, " bytes"));
  }
  head_only_ = request().method() == beast_http::verb::head;
  stream_.expires_never();
  handler_->Handle(shared_from_this());
}

absl::Status Connection::CheckFraming() const {
  RequestFraming framing;
  for (const auto& f : request()) {
    if (f.name() == beast_http::field::transfer_encoding) {
      framing.transfer_encoding.push_back(View(f.value()));
    } else if (f.name() == beast_http::field::content_length) {
      framing.has_content_length = true;
    }
  }
  framing.version = request().version();
  return CheckRequestFraming(framing);
}

void Connection::RejectHead(int status, std::string_view message) {
  close_after_ = true;
  head_only_ = false;
  ResponseHead head;
  head.result(status);
  head.set(beast_http::field::content_type, "application/json");
  Respond(std::move(head), ErrorJson(status, message));
}

void Connection::Respond(ResponseHead head, std::string body) {
  head.set(beast_http::field::content_length, std::to_string(body.size()));
  auto owner = std::make_shared<const std::string>(std::move(body));
  std::string_view view(*owner);
  Write(&head, std::move(owner), view, true, nullptr);
}

void Connection::Write(const ResponseHead* head, BodyRef owner,
                       std::string_view body, bool last,
                       std::function<void()> next) {
  if (closed_) return;
  if (head != nullptr) {
    status_ = head->result_int();
    // Keep-alive only when the request was read to its end: leftover body
    // bytes would be taken for the next request.
    bool keep = !close_after_ && !handler_->draining() && parser_ &&
                parser_->is_done() && parser_->keep_alive();
    close_after_ = !keep;
    head_bytes_ = Serialize(*head, keep);
  }
  owner_ = std::move(owner);
  pending_ = head_only_ ? std::string_view() : body;
  last_ = last;
  next_ = std::move(next);
  WriteSlice();
}

void Connection::WriteSlice() {
  size_t n = std::min(pending_.size(), kWriteSlice);
  std::array<asio::const_buffer, 2> buffers{asio::buffer(head_bytes_),
                                            asio::buffer(pending_.data(), n)};
  stream_.expires_after(absl::ToChronoMilliseconds(limits_.io_timeout));
  asio::async_write(
      stream_, buffers,
      [self = shared_from_this(), n](beast::error_code ec, size_t) {
        self->head_bytes_.clear();
        self->pending_.remove_prefix(n);
        self->body_bytes_out_ += n;
        self->OnWritten(ec);
      });
}

void Connection::OnWritten(beast::error_code ec) {
  if (ec) return Abort();
  if (!pending_.empty()) return WriteSlice();
  owner_.reset();
  if (last_) return EndResponse();
  auto next = std::move(next_);
  next_ = nullptr;
  if (next) next();
}

void Connection::EndResponse() {
  handler_->Completed(
      View(request().method_string()), status_,
      absl::FromChrono(std::chrono::steady_clock::now() - started_),
      body_bytes_out_);
  status_ = -1;  // reported
  if (close_after_) return LingeringClose();
  ReadHead();
}

void Connection::Abort() {
  if (status_ >= 0 && parser_) {
    handler_->Completed(
        View(request().method_string()), status_,
        absl::FromChrono(std::chrono::steady_clock::now() - started_),
        body_bytes_out_);
    status_ = -1;
  }
  Close();
}

void Connection::LingeringClose() {
  if (closed_) return;
  closed_ = true;  // no more writes; the socket still drains below
  DropNext();
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) {
    stream_.close();
    return;
  }
  // A body read still in flight (an upload that failed while the client
  // was sending) drains on its own, and only one read may be pending: its
  // completion drops the last reference, which closes the socket.
  if (reading_body_) return;
  auto scratch = std::make_shared<std::array<char, 16 << 10>>();
  auto drained = std::make_shared<size_t>(0);
  stream_.expires_after(kLingerTime);
  auto step = std::make_shared<std::function<void()>>();
  *step = [self = shared_from_this(), scratch, drained, step] {
    self->stream_.async_read_some(
        asio::buffer(*scratch),
        [self, scratch, drained, step](beast::error_code rec, size_t n) {
          *drained += n;
          if (rec || *drained > kLingerBytes) {
            self->stream_.close();
            *step = nullptr;  // break the cycle
            return;
          }
          (*step)();
        });
  };
  (*step)();
}

void Connection::DropNext() {
  // `next_` holds the request that wrote (and the request holds this
  // connection): a response that will never continue must let go of it.
  // The body bytes (owner_) stay until the socket's last write completed.
  next_ = nullptr;
}

void Connection::Close() {
  DropNext();
  if (closed_) {
    beast::error_code ec;
    stream_.socket().close(ec);
    return;
  }
  closed_ = true;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.socket().close(ec);
}

void Connection::CloseIfIdle() {
  if (idle_ && !closed_) Close();
}

void Connection::ContinueIfExpected(std::function<void()> next) {
  if (!beast::iequals(request()[beast_http::field::expect], "100-continue")) {
    return next();
  }
  static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  stream_.expires_after(absl::ToChronoMilliseconds(limits_.io_timeout));
  asio::async_write(stream_, asio::buffer(kContinue),
                    [self = shared_from_this(), next = std::move(next)](
                        beast::error_code ec, size_t) {
                      if (ec) return self->Abort();
                      next();
                    });
}

void Connection::ReadBody(
    std::function<void(absl::StatusOr<std::string_view>)> done) {
  if (closed_) return done(absl::CancelledError("connection closed"));
  if (parser_->is_done()) return done(std::string_view());
  body_buf_.resize(kBodyPiece);
  parser_->get().body().data = body_buf_.data();
  parser_->get().body().size = body_buf_.size();
  stream_.expires_after(absl::ToChronoMilliseconds(limits_.io_timeout));
  beast_http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this(), done = std::move(done)](beast::error_code ec,
                                                          size_t) mutable {
        if (ec == beast_http::error::need_buffer) ec = {};
        if (ec) {
          self->close_after_ = true;
          if (ec == beast_http::error::body_limit) {
            return done(absl::ResourceExhaustedError(absl::StrCat(
                "body larger than ", self->limits_.max_body_bytes, " bytes")));
          }
          if (ec == beast::error::timeout) {
            return done(absl::DeadlineExceededError(
                "client sent no body bytes within the I/O timeout"));
          }
          return done(absl::CancelledError(
              "client closed the connection mid-body: " + ec.message()));
        }
        size_t got = self->body_buf_.size() - self->parser_->get().body().size;
        if (got == 0 && !self->parser_->is_done()) {
          return self->ReadBody(std::move(done));
        }
        done(std::string_view(self->body_buf_.data(), got));
      });
}

}  // namespace drive::gateway
