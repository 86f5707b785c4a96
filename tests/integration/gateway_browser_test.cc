// A real browser against the single-machine cluster: headless Chromium
// loads the gallery page (through a signed share link, as a client of the
// studio would) and every image must render (naturalWidth > 0). A
// screenshot goes to test-output/gateway/gallery.png in the build tree.

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "nlohmann/json.hpp"
#include "tests/integration/gateway_fixture.h"
#include "tests/support/status_matchers.h"

namespace drive {
namespace {

namespace fs = std::filesystem;
using testing::Http;

std::string FindChromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (fs::exists(p)) return p;
  }
  return "";
}

TEST_F(GatewayTest, GalleryRendersEveryImageInChromium) {
  std::string chromium = FindChromium();
  if (chromium.empty()) {
    GTEST_SKIP() << "chromium is not installed (apt-get install chromium, "
                    "or scripts/install-deps.sh --browser); browser test "
                    "skipped";
  }
  size_t photos = 0;
  for (const auto& e :
       fs::directory_iterator(std::string(DRIVE_SOURCE_DIR) + "/data/photos")) {
    std::ifstream in(e.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    auto r =
        Http(port(), "PUT", "/v1/demo/browser/" + e.path().filename().string(),
             Auth(), bytes);
    ASSERT_EQ(r.status, 201) << e.path();
    ++photos;
  }
  ASSERT_GT(photos, 0u);
  auto share =
      Http(port(), "POST", "/gallery/demo/browser/?share&ttl=10m", Auth());
  ASSERT_EQ(share.status, 200) << share.body;
  std::string url = nlohmann::json::parse(share.body)["url"];

  std::string out_dir = std::string(DRIVE_TEST_OUTPUT_DIR) + "/gateway";
  fs::create_directories(out_dir);
  std::string shot = out_dir + "/gallery.png";
  std::string result = Temp("browser.json");
  fs::remove(shot);
  std::string cmd = absl::StrCat(
      "python3 ", DRIVE_SOURCE_DIR, "/tests/integration/gallery_browser.py ",
      chromium, " '", url, "' ", shot, " > ", result);
  ASSERT_EQ(std::system(cmd.c_str()), 0) << testing::ReadFileOrEmpty(result);
  auto images = nlohmann::json::parse(testing::ReadFileOrEmpty(result));
  ASSERT_EQ(images.size(), photos);
  for (const auto& img : images) {
    EXPECT_GT(img["naturalWidth"].get<int>(), 0) << img.dump();
  }
  std::string png = testing::ReadFileOrEmpty(shot);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1A\n", 8));
  std::printf("gallery screenshot: %s\n", shot.c_str());
}

}  // namespace
}  // namespace drive
