#pragma once

// The placement map on the wire (v1::PlacementMapInfo) and in memory
// (PlacementMap): the one conversion between them, for every reader of the
// map (client, node) and for the coordinator's drive entries.

#include "common/placement_map.h"
#include "drive/v1/coordinator.pb.h"

namespace drive {

// The reader's map from the coordinator's answer. Lenient, as a reader has
// no better map to fall back on: a PG index beyond `drives` is skipped, pgs
// is cut or padded with empty PGs to pg_count, replicas_per_region 0 reads
// as 3, and a state this build does not know reads as kDown (not written
// to, read last). server_unix_ms is not part of the map; read it from
// `info`.
PlacementMap PlacementMapFromProto(const v1::PlacementMapInfo& info);

// The fields PlacementMapFromProto reads, so that FromProto(ToProto(m))
// equals `m`; server_unix_ms and the drives' usage fields are left unset.
void ToProto(const PlacementMap& map, v1::PlacementMapInfo* out);

// A drive's identity, weight and state; `draining` is set for kDraining.
void ToProto(const DriveInfo& d, v1::DriveEntry* out);
DriveInfo DriveInfoFromProto(const v1::DriveEntry& e);

}  // namespace drive
