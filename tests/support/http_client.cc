#include "tests/support/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace drive::testing {

std::string HttpReply::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

HttpConnection::HttpConnection(int port, std::chrono::milliseconds timeout,
                               int receive_buffer, const char* source_ip)
    : port_(port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (receive_buffer > 0) {
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer,
                 sizeof receive_buffer);
  }
  if (source_ip != nullptr) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    if (::inet_pton(AF_INET, source_ip, &from.sin_addr) != 1 ||
        ::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
      Close();
      return;
    }
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    Close();
    return;
  }
  timeval tv{};
  tv.tv_sec = timeout.count() / 1000;
  tv.tv_usec = (timeout.count() % 1000) * 1000;
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

HttpConnection::~HttpConnection() { Close(); }

void HttpConnection::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool HttpConnection::SendRaw(std::string_view bytes) {
  while (!bytes.empty() && fd_ >= 0) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return fd_ >= 0;
}

bool HttpConnection::Fill() {
  if (fd_ < 0) return false;
  char tmp[64 << 10];
  ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
  if (n <= 0) return false;
  buf_.append(tmp, static_cast<size_t>(n));
  return true;
}

std::optional<HttpReply> HttpConnection::Read(bool head, bool interim) {
  while (true) {
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    std::string head_text = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    HttpReply r;
    size_t line_end = head_text.find("\r\n");
    std::string status_line = head_text.substr(0, line_end);
    if (status_line.size() < 12) return std::nullopt;
    r.status = std::atoi(status_line.c_str() + 9);
    size_t pos =
        line_end == std::string::npos ? head_text.size() : line_end + 2;
    while (pos < head_text.size()) {
      size_t next = head_text.find("\r\n", pos);
      if (next == std::string::npos) next = head_text.size();
      std::string line = head_text.substr(pos, next - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        size_t v = colon + 1;
        while (v < line.size() && line[v] == ' ') ++v;
        r.headers[name] = line.substr(v);
      }
      pos = next + 2;
    }
    if (r.status == 100 && !interim) continue;
    if (r.status == 100) return r;
    if (head || r.status == 204 || r.status == 304) return r;
    std::string length = r.header("content-length");
    if (length.empty()) {  // until close
      while (Fill()) {
      }
      r.body = std::move(buf_);
      buf_.clear();
      return r;
    }
    size_t want = std::strtoull(length.c_str(), nullptr, 10);
    while (buf_.size() < want) {
      if (!Fill()) return std::nullopt;
    }
    r.body = buf_.substr(0, want);
    buf_.erase(0, want);
    return r;
  }
}

std::optional<HttpReply> HttpConnection::Request(const std::string& method,
                                                 const std::string& target,
                                                 const HttpHeaders& headers,
                                                 std::string_view body) {
  std::string req = method + " " + target +
                    " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
                    "\r\n";
  bool has_length = false;
  for (const auto& [k, v] : headers) {
    req += k + ": " + v + "\r\n";
    has_length |= k == "Content-Length" || k == "Transfer-Encoding";
  }
  if (!has_length && (!body.empty() || method == "PUT")) {
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n";
  req.append(body.data(), body.size());
  if (!SendRaw(req)) return std::nullopt;
  return Read(method == "HEAD");
}

size_t HttpConnection::Drain(std::chrono::milliseconds limit, bool* closed) {
  *closed = false;
  size_t total = buf_.size();
  buf_.clear();
  auto deadline = std::chrono::steady_clock::now() + limit;
  char tmp[64 << 10];
  while (fd_ >= 0 && std::chrono::steady_clock::now() < deadline) {
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
      *closed = true;
      break;
    }
    if (n > 0) total += static_cast<size_t>(n);
  }
  return total;
}

HttpReply Http(int port, const std::string& method, const std::string& target,
               const HttpHeaders& headers, std::string_view body) {
  HttpConnection c(port);
  auto r = c.Request(method, target, headers, body);
  return r ? *r : HttpReply{};
}

int PortOf(const std::string& url) {
  size_t colon = url.find(':', url.find("//") + 2);
  return std::atoi(url.c_str() + colon + 1);
}

std::string TargetOf(const std::string& url) {
  size_t slash = url.find('/', url.find("//") + 2);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

}  // namespace drive::testing
