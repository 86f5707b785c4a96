#pragma once

// One HTTP/1.1 connection of the gateway: reads request heads (and PUT
// bodies piecewise), writes responses in bounded slices, and enforces the
// limits: header size, URL length, header and I/O timeouts, keep-alive,
// lingering close. All methods run on the connection's strand (use Post
// from elsewhere); objects live through shared_ptr, and a closed
// connection ignores further writes. The request logic is a
// RequestHandler (gateway.h).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "boost/asio.hpp"
#include "boost/beast.hpp"

namespace drive::gateway {

namespace beast_http = boost::beast::http;
using ResponseHead = beast_http::response_header<>;
using RequestHead = beast_http::request_header<>;
using BodyRef = std::shared_ptr<const std::string>;

struct ConnectionLimits {
  // Largest request head (request line and all fields), bytes; larger
  // heads get 431. Default: 16 KiB.
  size_t max_header_bytes = 16 << 10;
  // Longest request target, bytes; longer gets 414. Default: 8 KiB.
  size_t max_target_bytes = 8 << 10;
  // Largest PUT body, bytes; larger gets 413. Default: 64 GiB.
  uint64_t max_body_bytes = 64ull << 30;
  // Time for a whole request head to arrive, counted from the end of the
  // previous response (so also the keep-alive idle timeout) or from the
  // accept. A deadline, not an idle timeout: bytes arriving (a head
  // trickled a byte at a time) do not extend it. Default 30 s.
  absl::Duration header_timeout = absl::Seconds(30);
  // Time for each body piece (up to 512 KiB) to be sent or received; a
  // slower client is disconnected. Default: 60 s.
  absl::Duration io_timeout = absl::Seconds(60);
};

class Connection;

// Called for every request whose head was read and passed the limits.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Runs on the connection's strand; must end in exactly one complete
  // response (Write with last = true) or Abort, possibly later.
  virtual void Handle(std::shared_ptr<Connection> conn) = 0;
  // A response ended (or was aborted: status 0 when nothing was sent).
  virtual void Completed(std::string_view method, int status,
                         absl::Duration elapsed, uint64_t body_bytes_out) = 0;
  // True once the server drains: no new keep-alive requests.
  virtual bool draining() const = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::ip::tcp::socket socket, RequestHandler* handler,
             const ConnectionLimits& limits,
             std::function<void(Connection*)> on_close);
  ~Connection();

  // Starts reading the first request. Call once, after construction.
  void Start();

  const RequestHead& request() const { return parser_->get().base(); }
  // Runs `fn` on this connection's strand (from any thread).
  void Post(std::function<void()> fn);
  bool closed() const { return closed_; }
  // Whether the request has a body still to be read.
  bool has_body() const { return !parser_->is_done(); }
  // Declared Content-Length, if any.
  std::optional<uint64_t> content_length() const {
    auto n = parser_->content_length();
    return n ? std::optional<uint64_t>(*n) : std::nullopt;
  }

  // Writes the response head (when given, on the first call only) and
  // `body` (may be empty), which `owner` keeps alive. With `last` the
  // response ends: the connection reads the next request or closes, and
  // `next` is not called; otherwise `next` runs once the bytes are
  // written. On a write error or timeout the connection closes and
  // `next` never runs. The head must carry Content-Length; Date and
  // Connection are added here.
  void Write(const ResponseHead* head, BodyRef owner, std::string_view body,
             bool last, std::function<void()> next);
  // A complete response with a small body.
  void Respond(ResponseHead head, std::string body);
  // Ends the exchange without a complete response (an error after the
  // head went out): the client sees a truncated body and a closed socket.
  void Abort();
  // The connection closes after this response instead of keeping alive.
  void CloseAfterResponse() { close_after_ = true; }

  // Writes "100 Continue" if the client asked for it, then runs `next`.
  void ContinueIfExpected(std::function<void()> next);
  // Reads the next body piece (at most 256 KiB): `done` gets the bytes,
  // valid until the next ReadBody, or "" at the end of the body, or an
  // error (kResourceExhausted when the body exceeds max_body_bytes,
  // kDeadlineExceeded on a timeout, kCancelled/kUnavailable when the
  // client went away).
  void ReadBody(std::function<void(absl::StatusOr<std::string_view>)> done);

  // Closes an idle connection (between requests) for shutdown; one in
  // the middle of a request finishes it first.
  void CloseIfIdle();
  // Closes now.
  void Close();

 private:
  void ReadHead();
  void OnHead(boost::beast::error_code ec);
  // CheckRequestFraming of the head just read.
  absl::Status CheckFraming() const;
  void RejectHead(int status, std::string_view message);
  void WriteSlice();
  void OnWritten(boost::beast::error_code ec);
  void EndResponse();
  void LingeringClose();
  void DropNext();

  boost::beast::tcp_stream stream_;
  RequestHandler* handler_;
  const ConnectionLimits& limits_;
  std::function<void(Connection*)> on_close_;  // from the destructor
  boost::beast::flat_buffer buffer_;
  std::optional<beast_http::request_parser<beast_http::buffer_body>> parser_;
  std::string body_buf_;

  // The response in progress.
  std::string head_bytes_;
  BodyRef owner_;
  std::string_view pending_;
  bool last_ = false;
  std::function<void()> next_;
  int status_ = 0;
  uint64_t body_bytes_out_ = 0;
  bool head_only_ = false;
  std::chrono::steady_clock::time_point started_;

  bool idle_ = false;          // waiting for a request head
  bool reading_body_ = false;  // a ReadBody is in flight
  bool close_after_ = false;
  bool closed_ = false;
};

}  // namespace drive::gateway
