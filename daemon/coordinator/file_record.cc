#include "daemon/coordinator/file_record.h"

#include <initializer_list>

#include "nlohmann/json.hpp"

namespace drive::coordinator {
namespace {

using nlohmann::json;

json FileToJson(const FileRecord& f) {
  json chunks = json::array();
  for (const auto& c : f.chunks) {
    chunks.push_back(
        {{"id", c.id.ToHex()}, {"size", c.size}, {"replicas", c.replicas}});
  }
  return {{"v", 1},
          {"path", f.path},
          {"size", f.size},
          {"mtime_ms", f.mtime_ms},
          {"content_type", f.content_type},
          {"chunks", chunks},
          {"hash", f.hash.ToHex()},
          {"version", f.version},
          {"durability", f.durability},
          {"committed_ms", f.committed_ms}};
}

// True unless one of `keys` holds a floating-point number. Every number in
// these records is an integer, and converting a float such as 1e300 to one
// is undefined behaviour (nlohmann's value<T>() casts without a check).
bool NoFloats(const json& j, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    auto it = j.find(key);
    if (it != j.end() && it->is_number_float()) return false;
  }
  return true;
}

absl::StatusOr<FileRecord> FileFromJson(const json& j) {
  if (!j.is_object() ||
      !NoFloats(j, {"v", "size", "mtime_ms", "version", "committed_ms"}) ||
      j.value("v", 0) != 1) {
    return absl::DataLossError("unreadable file record");
  }
  FileRecord f;
  f.path = j.value("path", "");
  f.size = j.value("size", uint64_t{0});
  f.mtime_ms = j.value("mtime_ms", int64_t{0});
  f.content_type = j.value("content_type", "");
  f.version = j.value("version", uint64_t{0});
  f.durability = j.value("durability", "");
  f.committed_ms = j.value("committed_ms", int64_t{0});
  auto hash = ChunkId::FromHex(j.value("hash", ""));
  if (!hash.ok()) return absl::DataLossError("file record has a bad hash");
  f.hash = *hash;
  if (j.contains("chunks") && j["chunks"].is_array()) {
    for (const auto& c : j["chunks"]) {
      if (!NoFloats(c, {"size"})) {
        return absl::DataLossError("file record has a bad chunk size");
      }
      ChunkRef ref;
      auto id = ChunkId::FromHex(c.value("id", ""));
      if (!id.ok())
        return absl::DataLossError("file record has a bad chunk id");
      ref.id = *id;
      ref.size = c.value("size", uint64_t{0});
      ref.replicas = c.value("replicas", std::vector<std::string>{});
      f.chunks.push_back(std::move(ref));
    }
  }
  return f;
}

json Parse(std::string_view v) {
  return json::parse(v, nullptr, /*allow_exceptions=*/false);
}

}  // namespace

std::string EncodeFileRecord(const FileRecord& f) {
  return FileToJson(f).dump();
}

absl::StatusOr<FileRecord> DecodeFileRecord(std::string_view v) try {
  return FileFromJson(Parse(v));
} catch (const json::exception& e) {
  // A field of the wrong type: corrupt metadata is data loss, not a crash.
  return absl::DataLossError(std::string("unreadable file record: ") +
                             e.what());
}

std::string EncodeTrashRecord(const TrashRecord& t) {
  return json{{"trash_id", t.trash_id},
              {"file", FileToJson(t.file)},
              {"deleted_ms", t.deleted_ms},
              {"purge_after_ms", t.purge_after_ms}}
      .dump();
}

absl::StatusOr<TrashRecord> DecodeTrashRecord(std::string_view v) try {
  json j = Parse(v);
  if (!j.is_object() || !j.contains("file") ||
      !NoFloats(j, {"deleted_ms", "purge_after_ms"})) {
    return absl::DataLossError("unreadable trash record");
  }
  TrashRecord t;
  t.trash_id = j.value("trash_id", "");
  auto f = FileFromJson(j["file"]);
  if (!f.ok()) return f.status();
  t.file = std::move(*f);
  t.deleted_ms = j.value("deleted_ms", int64_t{0});
  t.purge_after_ms = j.value("purge_after_ms", int64_t{0});
  return t;
} catch (const json::exception& e) {
  return absl::DataLossError(std::string("unreadable trash record: ") +
                             e.what());
}

}  // namespace drive::coordinator
