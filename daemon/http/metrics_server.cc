#include "daemon/http/metrics_server.h"

#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include "absl/strings/str_cat.h"

namespace drive::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// One keep-alive connection: read a request, answer, repeat.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, MetricsRegistry* registry)
      : stream_(std::move(socket)), registry_(registry) {}

  void Run() { Read(); }

 private:
  void Read() {
    request_ = {};
    stream_.expires_after(std::chrono::seconds(10));
    bhttp::async_read(stream_, buffer_, request_,
                      [self = shared_from_this()](
                          beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      return;
    }
    auto response = std::make_shared<bhttp::response<bhttp::string_body>>();
    response->version(request_.version());
    response->keep_alive(request_.keep_alive());
    std::string target(request_.target());
    if (request_.method() != bhttp::verb::get) {
      response->result(bhttp::status::method_not_allowed);
      response->set(bhttp::field::allow, "GET");
      response->body() = "only GET is supported\n";
    } else if (target == "/metrics") {
      response->result(bhttp::status::ok);
      response->set(bhttp::field::content_type,
                    "text/plain; version=0.0.4; charset=utf-8");
      response->body() = registry_->Render();
    } else if (target == "/healthz") {
      response->result(bhttp::status::ok);
      response->set(bhttp::field::content_type, "text/plain");
      response->body() = "ok\n";
    } else {
      response->result(bhttp::status::not_found);
      response->set(bhttp::field::content_type, "text/plain");
      response->body() = "not found; try /metrics\n";
    }
    response->prepare_payload();
    bhttp::async_write(
        stream_, *response,
        [self = shared_from_this(), response](beast::error_code wec, size_t) {
          if (!wec && response->keep_alive()) self->Read();
        });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bhttp::request<bhttp::string_body> request_;
  MetricsRegistry* registry_;
};

}  // namespace

struct MetricsServer::Impl {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;
  MetricsRegistry* registry;

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // acceptor closed
      std::make_shared<Session>(std::move(socket), registry)->Run();
      Accept();
    });
  }
};

MetricsServer::MetricsServer(MetricsRegistry* registry)
    : impl_(std::make_unique<Impl>()) {
  impl_->registry = registry;
}

MetricsServer::~MetricsServer() { Stop(); }

absl::StatusOr<uint16_t> MetricsServer::Start(const std::string& host,
                                              uint16_t port) {
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return absl::InvalidArgumentError("bad metrics address: " + host);
  tcp::endpoint endpoint(address, port);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec)
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec)
    impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", host, ":", port, ": ", ec.message()));
  }
  uint16_t bound = impl_->acceptor.local_endpoint().port();
  impl_->Accept();
  impl_->thread = std::thread([this] { impl_->io.run(); });
  return bound;
}

void MetricsServer::Stop() {
  if (!impl_->thread.joinable()) return;
  asio::post(impl_->io, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->io.stop();
  });
  impl_->thread.join();
}

}  // namespace drive::http
