#include "tests/support/test_meta_store.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "daemon/coordinator/embedded_meta_store.h"
#include "daemon/etcd/etcd_meta_store.h"
#include "tests/support/temp_dir.h"

namespace drive::testing {

bool TestMetaStoreIsEtcd() {
  const char* v = std::getenv("DRIVE_TEST_META_STORE");
  return v != nullptr && std::string_view(v) == "etcd";
}

EtcdProcess* SharedEtcd() {
  // `process` is destroyed at exit, which kills etcd.
  static EtcdProcess* etcd = [] {
    static EtcdProcess process;
    if (process.Start()) return &process;
    std::fprintf(stderr, "etcd did not start; its log:\n%s\n",
                 ReadFileOrEmpty(process.log_path()).c_str());
    return static_cast<EtcdProcess*>(nullptr);
  }();
  return etcd;
}

absl::StatusOr<std::unique_ptr<coordinator::MetaStore>> OpenTestMetaStore(
    const std::string& dir, std::optional<coordinator::MetaLimits> limits) {
  if (!TestMetaStoreIsEtcd()) {
    coordinator::EmbeddedMetaOptions options;
    if (limits.has_value()) options.limits = *limits;
    return coordinator::EmbeddedMetaStore::Open(dir, options);
  }
  EtcdProcess* etcd = SharedEtcd();
  if (etcd == nullptr) return absl::UnavailableError("test etcd not running");
  etcd::EtcdMetaOptions options;
  options.target.endpoints = {etcd->endpoint()};
  options.target.prefix = "/test" + dir;
  if (limits.has_value()) options.limits = *limits;
  return etcd::EtcdMetaStore::Connect(std::move(options));
}

}  // namespace drive::testing
