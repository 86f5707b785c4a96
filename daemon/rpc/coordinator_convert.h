#pragma once

// Proto <-> domain conversions of the coordinator service.

#include "absl/status/statusor.h"
#include "daemon/coordinator/file_record.h"
#include "daemon/coordinator/node_registry.h"
#include "daemon/coordinator/pg_health.h"
#include "drive/v1/coordinator.pb.h"

namespace drive::rpc {

void ToProto(const coordinator::FileRecord& f, bool with_chunks,
             drive::v1::FileManifest* out);
// kInvalidArgument for malformed ids or hashes.
absl::StatusOr<coordinator::FileRecord> FromProto(
    const drive::v1::FileManifest& m);

void ToProto(const coordinator::ClusterView& view,
             drive::v1::PlacementMapInfo* out);

coordinator::DriveReport FromProto(const drive::v1::DriveReport& r);

// ListPgsResponse's health strings: full, degraded, one-region, unavailable.
const char* PgHealthName(coordinator::PgHealthState s);

}  // namespace drive::rpc
