#include "daemon/coordinator/chunk_refs.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "nlohmann/json.hpp"

namespace drive::coordinator {
namespace {

constexpr char kRefPrefix[] = "r/";
constexpr char kTombstonePrefix[] = "g/";
constexpr char kIndexVersionKey[] = "m/refs_version";

// "<prefix><account>\0<16 id bytes>": the NUL ends the account, which never
// contains one, and the id is fixed-size.
std::string Key(const char* prefix, const std::string& account,
                const ChunkId& id) {
  std::string k = absl::StrCat(prefix, account);
  k.push_back('\0');
  k.append(id.bytes());
  return k;
}

absl::StatusOr<std::pair<std::string, ChunkId>> ParseKey(std::string_view key,
                                                         size_t prefix_len) {
  std::string_view rest = key.substr(prefix_len);
  size_t nul = rest.find('\0');
  if (nul == std::string_view::npos || rest.size() != nul + 1 + ChunkId::kBytes)
    return absl::DataLossError("malformed chunk reference key");
  DRIVE_ASSIGN_OR_RETURN(ChunkId id, ChunkId::FromBytes(rest.substr(nul + 1)));
  return std::make_pair(std::string(rest.substr(0, nul)), id);
}

// Value: "<count> <zero_since_ms>".
absl::StatusOr<RefState> DecodeRef(std::string_view v) {
  std::vector<std::string> parts = absl::StrSplit(Sv(v), ' ');
  RefState r;
  r.known = true;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &r.count) ||
      !absl::SimpleAtoi(parts[1], &r.zero_since_ms)) {
    return absl::DataLossError("unreadable chunk reference count");
  }
  return r;
}

}  // namespace

void ChunkRefs::Stage(const std::string& account, const FileRecord& f,
                      int delta) {
  for (const auto& c : f.chunks) staged_[{account, c.id}] += delta;
}

absl::Status ChunkRefs::Flush(MetaBatch* batch, int64_t now_ms) {
  for (const auto& [key, delta] : staged_) {
    if (delta == 0) continue;
    DRIVE_ASSIGN_OR_RETURN(RefState r, Get(key.first, key.second));
    int64_t count = static_cast<int64_t>(r.count) + delta;
    if (count < 0) {
      staged_.clear();
      return absl::InternalError(absl::StrCat("reference count of chunk ",
                                              key.second.ToHex(),
                                              " would drop below 0"));
    }
    int64_t zero_since = count == 0 ? now_ms : 0;
    batch->Put(Key(kRefPrefix, key.first, key.second),
               absl::StrCat(count, " ", zero_since));
  }
  staged_.clear();
  return absl::OkStatus();
}

absl::StatusOr<RefState> ChunkRefs::Get(const std::string& account,
                                        const ChunkId& id) {
  DRIVE_ASSIGN_OR_RETURN(auto v, store_->Get(Key(kRefPrefix, account, id)));
  if (!v) return RefState{};
  return DecodeRef(*v);
}

absl::StatusOr<std::optional<Tombstone>> ChunkRefs::GetTombstone(
    const std::string& account, const ChunkId& id) {
  DRIVE_ASSIGN_OR_RETURN(auto v,
                         store_->Get(Key(kTombstonePrefix, account, id)));
  if (!v) return std::optional<Tombstone>();
  auto j = nlohmann::json::parse(*v, nullptr, false);
  if (!j.is_object()) return absl::DataLossError("unreadable tombstone");
  Tombstone t;
  t.condemned_ms = j.value("condemned_ms", int64_t{0});
  t.completed_ms = j.value("completed_ms", int64_t{0});
  return std::optional<Tombstone>(t);
}

void ChunkRefs::PutTombstone(const std::string& account, const ChunkId& id,
                             const Tombstone& t, MetaBatch* batch) {
  nlohmann::json j = {{"condemned_ms", t.condemned_ms},
                      {"completed_ms", t.completed_ms}};
  batch->Put(Key(kTombstonePrefix, account, id), j.dump());
}

void ChunkRefs::DeleteTombstone(const std::string& account, const ChunkId& id,
                                MetaBatch* batch) {
  batch->Delete(Key(kTombstonePrefix, account, id));
}

void ChunkRefs::DeleteRef(const std::string& account, const ChunkId& id,
                          MetaBatch* batch) {
  batch->Delete(Key(kRefPrefix, account, id));
}

absl::Status ChunkRefs::ScanReferenced(
    const std::function<bool(const std::string&, const ChunkId&)>& fn) {
  absl::Status bad;
  DRIVE_RETURN_IF_ERROR(
      store_->Scan(kRefPrefix, "", [&](std::string_view k, std::string_view v) {
        auto key = ParseKey(k, sizeof(kRefPrefix) - 1);
        auto ref = DecodeRef(v);
        if (!key.ok() || !ref.ok()) {
          bad = key.ok() ? ref.status() : key.status();
          return false;
        }
        return ref->count == 0 || fn(key->first, key->second);
      }));
  return bad;
}

absl::Status ChunkRefs::ScanTombstones(
    const std::function<bool(const std::string&, const ChunkId&,
                             const Tombstone&)>& fn) {
  absl::Status bad;
  DRIVE_RETURN_IF_ERROR(store_->Scan(
      kTombstonePrefix, "", [&](std::string_view k, std::string_view v) {
        auto key = ParseKey(k, sizeof(kTombstonePrefix) - 1);
        auto j = nlohmann::json::parse(v, nullptr, false);
        if (!key.ok() || !j.is_object()) {
          bad = absl::DataLossError("unreadable tombstone");
          return false;
        }
        Tombstone t{j.value("condemned_ms", int64_t{0}),
                    j.value("completed_ms", int64_t{0})};
        return fn(key->first, key->second, t);
      }));
  return bad;
}

absl::Status ChunkRefs::BuildIfMissing() {
  DRIVE_ASSIGN_OR_RETURN(auto version, store_->Get(kIndexVersionKey));
  if (version) return absl::OkStatus();
  std::map<std::pair<std::string, ChunkId>, int64_t> counts;
  absl::Status bad;
  auto add = [&](std::string_view key, const FileRecord& f) {
    // f/<account>\0<path> and t/<account>\0<id>
    std::string_view rest = key.substr(2);
    std::string account(rest.substr(0, rest.find('\0')));
    for (const auto& c : f.chunks) counts[{account, c.id}] += 1;
  };
  DRIVE_RETURN_IF_ERROR(
      store_->Scan("f/", "", [&](std::string_view k, std::string_view v) {
        auto f = DecodeFileRecord(v);
        if (!f.ok()) bad = f.status();
        if (f.ok()) add(k, *f);
        return f.ok();
      }));
  DRIVE_RETURN_IF_ERROR(bad);
  DRIVE_RETURN_IF_ERROR(
      store_->Scan("t/", "", [&](std::string_view k, std::string_view v) {
        auto t = DecodeTrashRecord(v);
        if (!t.ok()) bad = t.status();
        if (t.ok()) add(k, t->file);
        return t.ok();
      }));
  DRIVE_RETURN_IF_ERROR(bad);
  MetaBatch batch;
  for (const auto& [key, count] : counts) {
    batch.Put(Key(kRefPrefix, key.first, key.second),
              absl::StrCat(count, " 0"));
  }
  batch.Put(kIndexVersionKey, "1");
  return store_->Write(batch);
}

}  // namespace drive::coordinator
