#pragma once

// The JSON forms of files and listings in the HTTP API, and the file URLs
// they carry. Pure functions over client::FileInfo.

#include <functional>
#include <string>
#include <vector>

#include "drive/client.h"
#include "nlohmann/json.hpp"

namespace drive::gateway {

// The ETag header value of a file: its content hash, quoted (strong).
std::string EtagOf(const client::FileInfo& f);

// One file as listings show it: name (the path), size, type, mtime
// (RFC 3339, UTC, ms), mtime_ms, etag (32 hex, unquoted), durability,
// version, and `url` when non-empty.
nlohmann::ordered_json FileEntryJson(const client::FileInfo& f,
                                     const std::string& url);

// A listing page:
//   {"account", "prefix", "files": [...], "next_cursor": "" | "..."}
// `url_for` gives each file's URL (may return "").
std::string ListingJson(
    const std::string& account, const std::string& prefix,
    const std::vector<client::FileInfo>& files, const std::string& next_cursor,
    const std::function<std::string(const client::FileInfo&)>& url_for);

}  // namespace drive::gateway
