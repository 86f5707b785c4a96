#pragma once

// The minimal gallery page: an HTML grid of a prefix's images, each an
// <img loading="lazy"> on a signed, content-addressed URL, plus a plain
// list of the files a browser cannot show (RAW, video, ...). Pure
// rendering; the handler lists, signs and sets the headers.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace drive::gateway {

struct GalleryEntry {
  std::string name;  // path relative to the gallery's prefix
  std::string url;   // where the browser fetches it (signed)
  std::string type;  // content type
  uint64_t size = 0;
};

struct GalleryPage {
  std::string account;
  std::string prefix;
  std::vector<GalleryEntry> images;  // shown in the grid
  std::vector<GalleryEntry> others;  // listed below it
  std::string next_url;              // next page, "" on the last
  int64_t links_expire_unix_s = 0;   // when the embedded URLs stop working
};

// Whether browsers display this content type in an <img> (JPEG, PNG, GIF,
// WebP, AVIF, BMP); SVG is left out because it can carry script.
bool BrowserDisplayableImage(std::string_view content_type);

// The page as a complete HTML document (UTF-8). Every text and URL is
// escaped for its context.
std::string RenderGallery(const GalleryPage& page);

// Escapes & < > " ' for HTML text and attribute values.
std::string HtmlEscape(std::string_view s);

}  // namespace drive::gateway
