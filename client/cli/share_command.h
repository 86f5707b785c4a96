#pragma once

// `drive share PATH --expires DURATION`: asks the HTTP gateway
// ($DRIVE_GATEWAY) to sign a URL for a file (or, with --gallery, for the
// gallery page of a prefix) and prints it. The signing key stays on the
// gateway; the request is authenticated with the account token.

#include <string>

#include "CLI/CLI.hpp"

namespace drive::cli {

struct ShareOptions {
  std::string path;            // remote file, or prefix with --gallery
  std::string expires = "1h";  // lifetime: 2s, 1h, 7d, ...
  bool gallery = false;        // share /gallery/{account}/{path}
  bool json = false;           // print the gateway's JSON answer
  std::string gateway;         // base URL; default $DRIVE_GATEWAY
};

CLI::App* AddShareCommand(CLI::App& app, ShareOptions& options);

// Runs `share` for `account` with `token`; returns the exit code.
int RunShare(const ShareOptions& options, const std::string& account,
             const std::string& token);

}  // namespace drive::cli
