#include "common/content_type.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace drive {
namespace {

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
