#include "common/content_type.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace drive {
namespace {

// RFC 9110 tchar.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
      (c >= '0' && c <= '9')) {
    return true;
  }
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Consumes a token at the front of `s`; false if there is none.
bool ConsumeToken(std::string_view& s) {
  size_t n = 0;
  while (n < s.size() && IsTokenChar(s[n])) ++n;
  s.remove_prefix(n);
  return n > 0;
}

// Consumes a quoted-string (printable ASCII, backslash escapes) at the
// front of `s`; false if it is missing or unterminated.
bool ConsumeQuotedString(std::string_view& s) {
  if (s.empty() || s[0] != '"') return false;
  for (size_t i = 1; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c > 0x7E) return false;
    if (c == '\\') {
      if (++i == s.size()) return false;
      const auto e = static_cast<unsigned char>(s[i]);
      if (e < 0x20 || e > 0x7E) return false;
    } else if (c == '"') {
      s.remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

void SkipSpaces(std::string_view& s) {
  while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
}

bool StartsWith(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

std::string FromMagic(std::string_view h) {
  if (StartsWith(h, "\xFF\xD8\xFF")) return "image/jpeg";
  if (StartsWith(h, "\x89PNG\r\n\x1A\n")) return "image/png";
  if (StartsWith(h, "GIF87a") || StartsWith(h, "GIF89a")) return "image/gif";
  if (h.size() >= 12 && StartsWith(h, "RIFF") && h.substr(8, 4) == "WEBP") {
    return "image/webp";
  }
  if (StartsWith(h, "%PDF-")) return "application/pdf";
  if (h.size() >= 12 && h.substr(4, 4) == "ftyp") {
    std::string_view brand = h.substr(8, 4);
    if (brand == "crx ") return "image/x-canon-cr3";
    if (brand == "heic" || brand == "heix" || brand == "mif1")
      return "image/heic";
    if (brand == "avif") return "image/avif";
    if (brand == "qt  ") return "video/quicktime";
    return "video/mp4";
  }
  // TIFF-based: CR2 carries "CR" at offset 8; plain TIFF otherwise.
  if (StartsWith(h, "II*\0") || StartsWith(h, std::string_view("MM\0*", 4))) {
    if (h.size() >= 10 && h.substr(8, 2) == "CR") return "image/x-canon-cr2";
    return "image/tiff";
  }
  return "";
}

}  // namespace

absl::Status ValidateContentType(std::string_view content_type) {
  if (content_type.size() > kMaxContentTypeBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "content type longer than ", kMaxContentTypeBytes, " bytes"));
  }
  if (content_type.empty()) return absl::OkStatus();
  auto bad = [](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("content type is not TYPE/SUBTYPE[; NAME=VALUE]... in "
                     "printable ASCII: ",
                     Sv(why)));
  };
  std::string_view s = content_type;
  if (!ConsumeToken(s)) return bad("no type");
  if (s.empty() || s[0] != '/') return bad("no '/' after the type");
  s.remove_prefix(1);
  if (!ConsumeToken(s)) return bad("no subtype");
  while (!s.empty()) {
    SkipSpaces(s);
    if (s.empty() || s[0] != ';') return bad("unexpected byte after the type");
    s.remove_prefix(1);
    SkipSpaces(s);
    if (s.empty() || s[0] == ';') continue;  // an empty parameter
    if (!ConsumeToken(s)) return bad("bad parameter name");
    if (s.empty() || s[0] != '=') return bad("parameter without '='");
    s.remove_prefix(1);
    if (!ConsumeToken(s) && !ConsumeQuotedString(s)) {
      return bad("bad parameter value");
    }
  }
  return absl::OkStatus();
}

std::string ServableContentType(std::string_view stored) {
  if (stored.empty() || !ValidateContentType(stored).ok()) {
    return "application/octet-stream";
  }
  return std::string(stored);
}

std::string GuessContentType(std::string_view path, std::string_view head) {
  std::string magic = FromMagic(head);
  if (!magic.empty()) return magic;
  static const std::map<std::string, std::string> kByExtension = {
      {"jpg", "image/jpeg"},         {"jpeg", "image/jpeg"},
      {"png", "image/png"},          {"gif", "image/gif"},
      {"webp", "image/webp"},        {"tif", "image/tiff"},
      {"tiff", "image/tiff"},        {"heic", "image/heic"},
      {"cr2", "image/x-canon-cr2"},  {"cr3", "image/x-canon-cr3"},
      {"nef", "image/x-nikon-nef"},  {"arw", "image/x-sony-arw"},
      {"dng", "image/x-adobe-dng"},  {"psd", "image/vnd.adobe.photoshop"},
      {"mp4", "video/mp4"},          {"mov", "video/quicktime"},
      {"pdf", "application/pdf"},    {"json", "application/json"},
      {"txt", "text/plain"},         {"html", "text/html"},
      {"xmp", "application/rdf+xml"}};
  size_t dot = path.rfind('.');
  size_t slash = path.rfind('/');
  if (dot != std::string_view::npos &&
      (slash == std::string_view::npos || dot > slash)) {
    std::string ext(path.substr(dot + 1));
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    auto it = kByExtension.find(ext);
    if (it != kByExtension.end()) return it->second;
  }
  return "application/octet-stream";
}

}  // namespace drive
