#pragma once

// The gateway's listener: accepts on one address, runs connections on a
// pool of Asio threads (one strand per connection), caps concurrent
// connections, in all and per client IP address (the excess gets an
// immediate 503 and is closed), and shuts
// down gracefully: stop accepting, close idle keep-alive connections, let
// requests in flight finish within a grace period, then cut the rest.
// Start/Stop from one thread; the handler must outlive the server.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio.hpp"
#include "daemon/gateway/connection.h"
#include "daemon/gateway/connection_limiter.h"

namespace drive::gateway {

struct HttpServerOptions {
  // Address to bind; port 0 picks a free one. Default: 127.0.0.1:8080.
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  // Asio threads (each runs connections' I/O and cache hits). Default 2.
  int threads = 2;
  // Concurrent connections; further ones are answered 503 and closed.
  // Default: 1024.
  size_t max_connections = 1024;
  // Concurrent connections from one client IP address (IPv4 or IPv6 as
  // seen by the gateway, so one NAT or proxy counts as one client); the
  // next one from that address gets 503. Default: 64.
  size_t max_connections_per_ip = 64;
  ConnectionLimits limits;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, RequestHandler* handler);
  ~HttpServer();

  // Binds and starts serving; returns the bound port. kUnavailable if the
  // address cannot be bound, kInvalidArgument if it does not parse.
  absl::StatusOr<uint16_t> Start();
  // Stops accepting, closes idle connections, waits up to `grace` for the
  // others to finish, closes what remains and joins the threads.
  // Idempotent; blocks.
  void Stop(absl::Duration grace);

  size_t connections() const { return limiter_.total(); }
  uint64_t rejected() const { return rejected_.load(); }

 private:
  void Accept();
  void Admit(boost::asio::ip::tcp::socket socket);
  void Reject(boost::asio::ip::tcp::socket socket, std::string_view why);
  void ForEachConnection(void (Connection::*fn)());

  const HttpServerOptions options_;
  RequestHandler* const handler_;
  // Declared before io_: destroying io_ destroys pending handlers, which
  // may hold the last reference to a connection, whose destructor
  // unregisters here.
  absl::Mutex mu_;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> live_
      ABSL_GUARDED_BY(mu_);
  ConnectionLimiter limiter_;
  std::atomic<uint64_t> rejected_{0};
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  std::vector<std::thread> threads_;
  bool stopped_ = false;
};

}  // namespace drive::gateway
