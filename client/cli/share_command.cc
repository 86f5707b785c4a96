#include "client/cli/share_command.h"

#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "boost/asio.hpp"
#include "boost/beast.hpp"
#include "client/cli_common/cli_common.h"
#include "common/percent_encoding.h"
#include "common/strings.h"
#include "nlohmann/json.hpp"

namespace drive::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

struct BaseUrl {
  std::string host;
  std::string port;
};

absl::StatusOr<BaseUrl> ParseBaseUrl(std::string url) {
  if (absl::StartsWith(url, "https://")) {
    return absl::InvalidArgumentError(
        "https gateways are not supported by `drive share`; use http:// "
        "behind your TLS proxy");
  }
  if (!absl::StartsWith(url, "http://")) {
    return absl::InvalidArgumentError("gateway URL must start with http://");
  }
  url = url.substr(7);
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.empty() || url.find('/') != std::string::npos) {
    return absl::InvalidArgumentError("gateway URL must be http://HOST[:PORT]");
  }
  size_t colon = url.rfind(':');
  if (colon == std::string::npos) return BaseUrl{url, "80"};
  return BaseUrl{url.substr(0, colon), url.substr(colon + 1)};
}

// One POST to the gateway; returns (HTTP status, body).
absl::StatusOr<std::pair<int, std::string>> Post(const BaseUrl& base,
                                                 const std::string& target,
                                                 const std::string& token) {
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  beast::error_code ec;
  auto endpoints = resolver.resolve(base.host, base.port, ec);
  if (!ec) {
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(endpoints, ec);
  }
  if (ec) {
    return absl::UnavailableError(absl::StrCat("cannot reach the gateway at ",
                                               base.host, ":", base.port, ": ",
                                               ec.message()));
  }
  http::request<http::empty_body> req{http::verb::post, target, 11};
  req.set(http::field::host, base.host + ":" + base.port);
  req.set(http::field::authorization, "Bearer " + token);
  req.set(http::field::user_agent, "drive-cli");
  req.prepare_payload();
  http::write(stream, req, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  if (!ec) http::read(stream, buffer, res, ec);
  if (ec) {
    return absl::UnavailableError("talking to the gateway: " + ec.message());
  }
  return std::make_pair(res.result_int(), std::move(res.body()));
}

}  // namespace

CLI::App* AddShareCommand(CLI::App& app, ShareOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "share", "Print a signed URL for a file (or a gallery page)");
  cmd->footer(
      "The URL works without a token until it expires. Needs DRIVE_GATEWAY\n"
      "(e.g. http://127.0.0.1:8080), which signs it with its own key.");
  cmd->add_option("path", o.path, "Remote file; with --gallery a prefix")
      ->required();
  cmd->add_option("--expires", o.expires, "Lifetime, e.g. 2s, 1h, 7d")
      ->capture_default_str();
  cmd->add_flag("--gallery", o.gallery,
                "Share the gallery page of PATH (a prefix) instead");
  cmd->add_flag("--json", o.json, "Print the gateway's JSON answer");
  cmd->add_option("--gateway", o.gateway, "Gateway base URL ($DRIVE_GATEWAY)");
  return cmd;
}

int RunShare(const ShareOptions& o, const std::string& account,
             const std::string& token) {
  auto gateway = Setting(o.gateway, "DRIVE_GATEWAY", "--gateway",
                         "gateway URL (http://HOST:PORT)");
  if (!gateway.ok()) {
    PrintError(Std(gateway.status().message()));
    return kExitUsage;
  }
  auto base = ParseBaseUrl(*gateway);
  if (!base.ok()) return Fail("share", base.status());
  std::string path = NormalizeRemote(o.path);
  std::string target = absl::StrCat(
      o.gallery ? "/gallery/" : "/v1/", account, "/", PercentEncodePath(path),
      "?share&ttl=", PercentEncodeQueryValue(o.expires));
  auto reply = Post(*base, target, token);
  if (!reply.ok()) return Fail("share " + path, reply.status());
  auto [status, body] = *reply;
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (status != 200 || json.is_discarded() || !json.contains("url")) {
    std::string message = json.is_discarded() || !json.contains("message")
                              ? body
                              : json["message"].get<std::string>();
    PrintError(absl::StrCat("share ", path, ": gateway answered ", status, ": ",
                            message));
    if (status == 404) return kExitNotFound;
    return status == 400 || status == 401 || status == 403 ? kExitUsage
                                                           : kExitFailed;
  }
  if (o.json) {
    std::printf("%s\n", json.dump(2).c_str());
  } else {
    std::printf("%s\n", json["url"].get<std::string>().c_str());
  }
  return kExitOk;
}

}  // namespace drive::cli
