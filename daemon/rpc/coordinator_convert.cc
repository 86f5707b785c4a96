#include "daemon/rpc/coordinator_convert.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc/placement_map_convert.h"
#include "common/grpc/scrub_progress_convert.h"

namespace drive::rpc {

const char* PgHealthName(coordinator::PgHealthState s) {
  switch (s) {
    case coordinator::PgHealthState::kFull:
      return "full";
    case coordinator::PgHealthState::kDegraded:
      return "degraded";
    case coordinator::PgHealthState::kOneRegion:
      return "one-region";
    case coordinator::PgHealthState::kUnavailable:
      return "unavailable";
  }
  return "unknown";
}

void ToProto(const coordinator::FileRecord& f, bool with_chunks,
             drive::v1::FileManifest* out) {
  out->set_path(f.path);
  out->set_size(f.size);
  out->set_mtime_unix_ms(f.mtime_ms);
  out->set_content_type(f.content_type);
  out->set_hash(std::string(f.hash.bytes()));
  out->set_version(f.version);
  out->set_durability(f.durability);
  out->set_committed_unix_ms(f.committed_ms);
  if (!with_chunks) return;
  for (const auto& c : f.chunks) {
    auto* pc = out->add_chunks();
    pc->set_id(std::string(c.id.bytes()));
    pc->set_size(c.size);
    for (const auto& r : c.replicas) pc->add_replicas(r);
  }
}

absl::StatusOr<coordinator::FileRecord> FromProto(
    const drive::v1::FileManifest& m) {
  coordinator::FileRecord f;
  f.path = m.path();
  f.size = m.size();
  f.mtime_ms = m.mtime_unix_ms();
  f.content_type = m.content_type();
  auto hash = ChunkId::FromBytes(m.hash());
  if (!hash.ok())
    return absl::InvalidArgumentError(m.path() + ": bad file hash");
  f.hash = *hash;
  for (int i = 0; i < m.chunks_size(); ++i) {
    const auto& pc = m.chunks(i);
    coordinator::ChunkRef c;
    auto id = ChunkId::FromBytes(pc.id());
    if (!id.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(m.path(), ": chunk ", i, " has a bad id"));
    }
    c.id = *id;
    c.size = pc.size();
    c.replicas.assign(pc.replicas().begin(), pc.replicas().end());
    f.chunks.push_back(std::move(c));
  }
  return f;
}

void ToProto(const coordinator::ClusterView& view,
             drive::v1::PlacementMapInfo* out) {
  std::map<std::string, uint32_t> index;
  for (const auto& d : view.drives) {
    index[d.info.id] = static_cast<uint32_t>(out->drives_size());
    auto* e = out->add_drives();
    DriveInfo info = d.info;
    info.address = d.address;
    info.name = d.name;
    // A draining drive is out of placement but still serves its data.
    if (d.failed) {
      info.state = DriveState::kFailed;
    } else if (d.draining && d.alive) {
      info.state = DriveState::kDraining;
    }
    ToProto(info, e);
    e->set_error(d.error);
    e->set_draining(d.draining);
    if (d.scrub.reported) ToProto(d.scrub, e->mutable_scrub());
    e->set_free_bytes(d.free_bytes);
    e->set_chunks(d.chunks);
    e->set_logical_bytes(d.logical_bytes);
    e->set_heartbeat_age_s(d.heartbeat_age_s);
  }
  if (!view.map) return;
  const PlacementMap& map = *view.map;
  out->set_epoch(map.epoch());
  out->set_pg_count(map.pg_count());
  out->set_replicas_per_region(map.replicas_per_region());
  out->set_server_unix_ms(absl::ToUnixMillis(absl::Now()));
  for (const auto& r : map.regions()) out->add_regions(r);
  for (uint32_t pg = 0; pg < map.pg_count(); ++pg) {
    auto* entry = out->add_pgs();
    for (const auto& id : map.DrivesOf(pg)) {
      // A drive the map still places but the registry no longer lists is
      // left out rather than pointed at some other drive.
      auto it = index.find(id);
      if (it != index.end()) entry->add_drives(it->second);
    }
  }
}

coordinator::DriveReport FromProto(const drive::v1::DriveReport& r) {
  coordinator::DriveReport d{r.name(), r.capacity_bytes(), r.free_bytes(),
                             r.chunks(), r.logical_bytes()};
  if (r.has_scrub()) d.scrub = ScrubProgressFromProto(r.scrub());
  d.error = r.error();
  return d;
}

}  // namespace drive::rpc
