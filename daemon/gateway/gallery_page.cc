#include "daemon/gateway/gallery_page.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/strings.h"
#include "common/units.h"

namespace drive::gateway {

bool BrowserDisplayableImage(std::string_view t) {
  return t == "image/jpeg" || t == "image/png" || t == "image/gif" ||
         t == "image/webp" || t == "image/avif" || t == "image/bmp";
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string RenderGallery(const GalleryPage& page) {
  std::string title = HtmlEscape(absl::StrCat(page.account, "/", page.prefix));
  std::string html = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n"
      "<title>",
      title,
      "</title>\n<style>\n"
      "body{font-family:system-ui,sans-serif;margin:1.5rem;background:#111;"
      "color:#eee}\n"
      "h1{font-size:1.2rem;font-weight:500}\n"
      ".grid{display:grid;grid-template-columns:repeat(auto-fill,"
      "minmax(220px,1fr));gap:12px}\n"
      "figure{margin:0;background:#222;border-radius:6px;overflow:hidden}\n"
      "figure img{display:block;width:100%;height:220px;object-fit:cover;"
      "background:#333}\n"
      "figcaption{font-size:.8rem;padding:.4rem .6rem;white-space:nowrap;"
      "overflow:hidden;text-overflow:ellipsis}\n"
      "a{color:#9cf}\n.meta{color:#999;font-size:.85rem}\n"
      "</style></head><body>\n<h1>",
      title, "</h1>\n<p class=\"meta\">", page.images.size(), " image",
      page.images.size() == 1 ? "" : "s");
  if (page.links_expire_unix_s > 0) {
    absl::StrAppend(
        &html, " &middot; links valid until ",
        absl::FormatTime("%Y-%m-%d %H:%M UTC",
                         absl::FromUnixSeconds(page.links_expire_unix_s),
                         absl::UTCTimeZone()));
  }
  absl::StrAppend(&html, "</p>\n<main class=\"grid\">\n");
  for (const auto& e : page.images) {
    std::string name = HtmlEscape(e.name);
    std::string url = HtmlEscape(e.url);
    absl::StrAppend(&html, "<figure><a href=\"", url, "\"><img src=\"", url,
                    "\" alt=\"", name,
                    "\" loading=\"lazy\" decoding=\"async\"></a><figcaption>",
                    name, "</figcaption></figure>\n");
  }
  absl::StrAppend(&html, "</main>\n");
  if (!page.others.empty()) {
    absl::StrAppend(&html, "<h2>Other files</h2>\n<ul>\n");
    for (const auto& e : page.others) {
      absl::StrAppend(&html, "<li><a href=\"", HtmlEscape(e.url), "\">",
                      HtmlEscape(e.name), "</a> <span class=\"meta\">",
                      HtmlEscape(e.type), ", ", FormatBytes(e.size),
                      "</span></li>\n");
    }
    absl::StrAppend(&html, "</ul>\n");
  }
  if (!page.next_url.empty()) {
    absl::StrAppend(&html, "<p><a href=\"", HtmlEscape(page.next_url),
                    "\">Next page</a></p>\n");
  }
  absl::StrAppend(&html, "</body></html>\n");
  return html;
}

}  // namespace drive::gateway
