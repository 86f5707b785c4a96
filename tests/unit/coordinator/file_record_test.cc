#include "daemon/coordinator/file_record.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/status_matchers.h"

namespace drive::coordinator {
namespace {

using ::drive::testing::StatusIs;

FileRecord SampleFile() {
  FileRecord f;
  f.path = "sessions/a.jpg";
  f.size = 5;
  f.mtime_ms = 1700000000000;
  f.content_type = "image/jpeg";
  f.hash = ChunkId::Of("hello");
  f.chunks.push_back({ChunkId::Of("hello"), 5, {"n1/d0", "n2/d0"}});
  f.version = 3;
  f.durability = "geo";
  f.committed_ms = 1700000000001;
  return f;
}

TEST(FileRecordTest, FileAndTrashRecordsRoundTrip) {
  std::string file = EncodeFileRecord(SampleFile());
  ASSERT_OK_AND_ASSIGN(FileRecord f, DecodeFileRecord(file));
  EXPECT_EQ(EncodeFileRecord(f), file);
  TrashRecord t{"t1", SampleFile(), 10, 20};
  ASSERT_OK_AND_ASSIGN(TrashRecord back,
                       DecodeTrashRecord(EncodeTrashRecord(t)));
  EXPECT_EQ(back.trash_id, "t1");
  EXPECT_EQ(back.purge_after_ms, 20);
  EXPECT_EQ(EncodeFileRecord(back.file), file);
}

// Found by file_record_fuzz: a float too large for an integer field made
// the conversion undefined behaviour instead of a kDataLoss.
TEST(FileRecordTest, FloatInAnIntegerFieldIsDataLoss) {
  nlohmann::json file = nlohmann::json::parse(EncodeFileRecord(SampleFile()));
  for (const char* key : {"v", "size", "mtime_ms", "version", "committed_ms"}) {
    nlohmann::json corrupt = file;
    corrupt[key] = 1.7e123;
    EXPECT_THAT(DecodeFileRecord(corrupt.dump()),
                StatusIs(absl::StatusCode::kDataLoss))
        << key;
  }
  nlohmann::json corrupt = file;
  corrupt["chunks"][0]["size"] = -1.7e123;
  EXPECT_THAT(DecodeFileRecord(corrupt.dump()),
              StatusIs(absl::StatusCode::kDataLoss));

  nlohmann::json trash =
      nlohmann::json::parse(EncodeTrashRecord({"t1", SampleFile(), 10, 20}));
  for (const char* key : {"deleted_ms", "purge_after_ms"}) {
    nlohmann::json corrupt_trash = trash;
    corrupt_trash[key] = 1e300;
    EXPECT_THAT(DecodeTrashRecord(corrupt_trash.dump()),
                StatusIs(absl::StatusCode::kDataLoss))
        << key;
  }
}

}  // namespace
}  // namespace drive::coordinator
