#include "daemon/gateway/listing.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace drive::gateway {

std::string EtagOf(const client::FileInfo& f) {
  return absl::StrCat("\"", f.hash.ToHex(), "\"");
}

nlohmann::ordered_json FileEntryJson(const client::FileInfo& f,
                                     const std::string& url) {
  nlohmann::ordered_json j = {
      {"name", f.path},
      {"size", f.size},
      {"type", f.content_type},
      {"mtime",
       absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ",
                        absl::FromUnixMillis(f.mtime_ms), absl::UTCTimeZone())},
      {"mtime_ms", f.mtime_ms},
      {"etag", f.hash.ToHex()},
      {"durability", f.durability},
      {"version", f.version}};
  if (!url.empty()) j["url"] = url;
  return j;
}

std::string ListingJson(
    const std::string& account, const std::string& prefix,
    const std::vector<client::FileInfo>& files, const std::string& next_cursor,
    const std::function<std::string(const client::FileInfo&)>& url_for) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& f : files) list.push_back(FileEntryJson(f, url_for(f)));
  nlohmann::ordered_json j = {{"account", account},
                              {"prefix", prefix},
                              {"files", std::move(list)},
                              {"next_cursor", next_cursor}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

}  // namespace drive::gateway
