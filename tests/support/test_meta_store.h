#pragma once

// The MetaStore the coordinator's unit suites run on, chosen by the
// environment so one suite runs on both backends (tests/CMakeLists.txt
// registers the etcd run as an integration test):
//   DRIVE_TEST_META_STORE unset or "embedded": EmbeddedMetaStore at `dir`;
//   DRIVE_TEST_META_STORE=etcd: EtcdMetaStore with prefix "/test" + `dir`
//   on one etcd process per test binary (started on first use, killed when
//   the binary exits). Reopening the same `dir` reopens the same data.

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "daemon/coordinator/meta_store.h"
#include "tests/support/etcd_process.h"

namespace drive::testing {

bool TestMetaStoreIsEtcd();

// `limits`: the store's MetaLimits; unset: the backend's defaults (none for
// the embedded store, etcd's 128 ops and 1.5 MiB for etcd).
absl::StatusOr<std::unique_ptr<coordinator::MetaStore>> OpenTestMetaStore(
    const std::string& dir,
    std::optional<coordinator::MetaLimits> limits = std::nullopt);

// This binary's etcd, started on the first call; nullptr when it did not
// come up (its log is then printed to stderr).
EtcdProcess* SharedEtcd();

}  // namespace drive::testing
