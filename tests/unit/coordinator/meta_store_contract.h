#pragma once

// The MetaStore contract: one suite (meta_store_contract.cc) that every
// backend passes. A backend's test file instantiates it:
//   INSTANTIATE_TEST_SUITE_P(Etcd, MetaStoreContractTest,
//                            ::testing::Values(&kEtcdBackend), BackendName);

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "daemon/coordinator/meta_store.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace drive::coordinator {

struct MetaBackend {
  std::string name;
  // A fresh, empty store identified by `dir` (a new temp dir path), that
  // refuses batches beyond `limits` and reads scans in pages of
  // `page_keys` keys where the backend pages.
  std::function<absl::StatusOr<std::unique_ptr<MetaStore>>(
      const std::string& dir, const MetaLimits& limits, int page_keys)>
      open;
};

// The value of `key`, "<absent>", or the read's error as text.
std::string ValueOf(MetaStore* store, std::string_view key);

std::string BackendName(const ::testing::TestParamInfo<const MetaBackend*>& i);

class MetaStoreContractTest
    : public ::testing::TestWithParam<const MetaBackend*> {
 protected:
  // The limits and page size every contract test's store uses: small, so
  // that limits and page boundaries are cheap to reach.
  static constexpr int kMaxOps = 8;
  static constexpr int64_t kMaxBytes = 16 * 1024;
  static constexpr int kPageKeys = 3;

  void SetUp() override;

  // Puts key=value in a batch of its own; returns the new revision.
  int64_t Put(const std::string& key, const std::string& value);
  // Every key=value under `prefix` from `start`, as "k=v" strings.
  std::vector<std::string> ScanAll(std::string_view prefix,
                                   std::string_view start = "");

  drive::testing::TempDir dir_;
  std::unique_ptr<MetaStore> store_;
};

}  // namespace drive::coordinator
