#include "daemon/gateway/http_server.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "daemon/gateway/http_errors.h"
#include "spdlog/spdlog.h"

namespace drive::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

HttpServer::HttpServer(HttpServerOptions options, RequestHandler* handler)
    : options_(std::move(options)),
      handler_(handler),
      limiter_(options_.max_connections, options_.max_connections_per_ip),
      io_(options_.threads),
      acceptor_(io_),
      retry_timer_(io_) {}

HttpServer::~HttpServer() { Stop(absl::ZeroDuration()); }

absl::StatusOr<uint16_t> HttpServer::Start() {
  beast::error_code ec;
  auto address = asio::ip::make_address(options_.host, ec);
  if (ec) {
    return absl::InvalidArgumentError("bad listen address: " + options_.host);
  }
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options_.host, ":", options_.port,
                     ": ", ec.message()));
  }
  uint16_t bound = acceptor_.local_endpoint().port();
  Accept();
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    threads_.emplace_back([this] { io_.run(); });
  }
  return bound;
}

void HttpServer::Accept() {
  acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code ec,
                                                        tcp::socket s) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) {
      return;  // stopping
    }
    if (ec) {
      // Typically EMFILE: back off instead of spinning.
      spdlog::warn("event=gateway_accept_failed error=\"{}\"", ec.message());
      retry_timer_.expires_after(std::chrono::milliseconds(100));
      retry_timer_.async_wait([this](beast::error_code) { Accept(); });
      return;
    }
    Admit(std::move(s));
    Accept();
  });
}

void HttpServer::Admit(tcp::socket socket) {
  beast::error_code ec;
  tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return;  // the client already left; the socket closes here
  std::string client = peer.address().to_string();
  switch (limiter_.TryAdmit(client)) {
    case ConnectionLimiter::Verdict::kServerFull:
      return Reject(std::move(socket),
                    absl::StrCat("too many connections (",
                                 options_.max_connections, "); retry shortly"));
    case ConnectionLimiter::Verdict::kClientFull:
      return Reject(
          std::move(socket),
          absl::StrCat("too many connections from ", client, " (",
                       options_.max_connections_per_ip, "); retry shortly"));
    case ConnectionLimiter::Verdict::kAdmitted:
      break;
  }
  auto conn =
      std::make_shared<Connection>(std::move(socket), handler_, options_.limits,
                                   [this, client](Connection* gone) {
                                     {
                                       absl::MutexLock lock(&mu_);
                                       live_.erase(gone);
                                     }
                                     limiter_.Release(client);
                                   });
  {
    absl::MutexLock lock(&mu_);
    live_[conn.get()] = conn;
  }
  conn->Start();
}

void HttpServer::Reject(tcp::socket socket, std::string_view why) {
  ++rejected_;
  struct Rejected {
    beast::tcp_stream stream;
    std::string response;
  };
  std::string body = ErrorJson(503, why);
  auto r = std::make_shared<Rejected>(Rejected{
      beast::tcp_stream(std::move(socket)),
      absl::StrCat("HTTP/1.1 503 Service Unavailable\r\nContent-Type: "
                   "application/json\r\nRetry-After: 1\r\nContent-Length: ",
                   body.size(), "\r\nConnection: close\r\n\r\n", body)});
  r->stream.expires_after(std::chrono::seconds(2));
  asio::async_write(
      r->stream, asio::buffer(r->response), [r](beast::error_code, size_t) {
        beast::error_code ec;
        r->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
        r->stream.close();
      });
}

void HttpServer::ForEachConnection(void (Connection::*fn)()) {
  std::vector<std::shared_ptr<Connection>> conns;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [raw, weak] : live_) {
      if (auto c = weak.lock()) conns.push_back(std::move(c));
    }
  }
  for (auto& c : conns) c->Post([c, fn] { ((*c).*fn)(); });
}

void HttpServer::Stop(absl::Duration grace) {
  if (stopped_ || threads_.empty()) return;
  stopped_ = true;
  asio::post(io_, [this] {
    beast::error_code ec;
    acceptor_.close(ec);
    retry_timer_.cancel();
  });
  // The handler reports draining, so connections stop keeping alive; the
  // idle ones are closed now, busy ones after their response.
  ForEachConnection(&Connection::CloseIfIdle);
  absl::Time deadline = absl::Now() + grace;
  while (limiter_.total() > 0 && absl::Now() < deadline) {
    ForEachConnection(&Connection::CloseIfIdle);
    absl::SleepFor(absl::Milliseconds(50));
  }
  if (limiter_.total() > 0) {
    spdlog::warn("event=gateway_shutdown_cut connections={}", limiter_.total());
    ForEachConnection(&Connection::Close);
    absl::Time hard = absl::Now() + absl::Seconds(2);
    while (limiter_.total() > 0 && absl::Now() < hard) {
      absl::SleepFor(absl::Milliseconds(20));
    }
  }
  io_.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

}  // namespace drive::gateway
