#pragma once

#include <string>
#include <string_view>

namespace drive {

// MIME type of a file from its first bytes (JPEG, PNG, GIF, WebP, TIFF,
// HEIC, PDF, Canon CR3/CR2 and other ISO-BMFF), else from the path's
// extension, else "application/octet-stream".
std::string GuessContentType(std::string_view path, std::string_view head);

}  // namespace drive
