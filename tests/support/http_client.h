#pragma once

// A deliberately small HTTP/1.1 client over a plain socket, for the
// gateway's integration tests: it sends exactly the bytes a test gives it
// (so hostile targets like "/v1/a/../b" reach the server unchanged) and
// parses responses with Content-Length bodies. Not thread-safe.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace drive::testing {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  // The header's value, or "" when absent.
  std::string header(const std::string& lower_name) const;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

class HttpConnection {
 public:
  // Connects to 127.0.0.1:port; reads time out after `timeout`. A
  // non-zero `receive_buffer` shrinks the socket's receive buffer (for
  // clients that read slowly or not at all). A `source_ip` (another
  // loopback address such as "127.0.0.2") makes the connection come from
  // there, for tests of per-client limits.
  explicit HttpConnection(
      int port, std::chrono::milliseconds timeout = std::chrono::seconds(30),
      int receive_buffer = 0, const char* source_ip = nullptr);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool SendRaw(std::string_view bytes);
  // Reads one response (skipping 100 Continue unless `interim`); nullopt
  // on EOF, error or timeout. `head` for a HEAD request (no body follows).
  std::optional<HttpReply> Read(bool head = false, bool interim = false);
  // Sends a request (Host and Content-Length added) and reads the reply.
  std::optional<HttpReply> Request(const std::string& method,
                                   const std::string& target,
                                   const HttpHeaders& headers = {},
                                   std::string_view body = {});
  // Reads and discards until the peer closes or `limit` passes; returns
  // the bytes read and sets *closed.
  size_t Drain(std::chrono::milliseconds limit, bool* closed);
  void Close();

 private:
  bool Fill();  // reads more into buf_; false on EOF/error/timeout
  int fd_ = -1;
  int port_;
  std::string buf_;
};

// One request on a fresh connection; status 0 if it failed.
HttpReply Http(int port, const std::string& method, const std::string& target,
               const HttpHeaders& headers = {}, std::string_view body = {});

// "http://127.0.0.1:PORT..." -> PORT, and the part after it.
int PortOf(const std::string& url);
std::string TargetOf(const std::string& url);

}  // namespace drive::testing
