#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "daemon/coordinator/meta_store.h"

namespace drive::etcd {

// Where the metadata lives on etcd: `--meta etcd://HOST:PORT[,HOST:PORT...]
// [/PREFIX]`.
struct EtcdTarget {
  std::vector<std::string> endpoints;  // "HOST:PORT", at least one
  std::string prefix = "/drive";       // no trailing '/'
};

// Parses "etcd://HOST:PORT[,HOST:PORT...][/PREFIX]"; PREFIX defaults to
// /drive and loses trailing slashes. kInvalidArgument on anything else.
absl::StatusOr<EtcdTarget> ParseEtcdUrl(std::string_view url);

struct EtcdMetaOptions {
  EtcdTarget target;
  // Refused before sending (kResourceExhausted). Keep them at or below the
  // cluster's --max-txn-ops and --max-request-bytes (`drived coordinator
  // --etcd-max-txn-ops/--etcd-max-request-bytes`).
  // Default: etcd 3.4's defaults, 128 ops and 1.5 MiB.
  coordinator::MetaLimits limits{128, 1536 * 1024};
  // Keys per Range call of a scan, 1..10000. Default: 500.
  int scan_page_keys = 500;
  // Deadline of each call to etcd. Default: 5 s.
  absl::Duration call_timeout = absl::Seconds(5);
};

class EtcdClient;

// The MetaStore on an etcd v3 cluster, over its gRPC API (proto/etcd/).
// Key K is stored as etcd key PREFIX + "/" + K
// (docs/formats/coordinator-keys.md); a key's revision is etcd's
// mod_revision and the store revision is etcd's. Reads are linearizable.
// Commit is one Txn: conditions become MOD compares, ops become Put and
// DeleteRange of single keys. Calls go to one endpoint; reads move to the
// next one when it is unavailable, writes are never resent (their outcome
// is unknown) but the next call starts at the next endpoint. Thread-safe.
class EtcdMetaStore final : public coordinator::MetaStore {
 public:
  // Connects and checks that some endpoint answers within
  // options.call_timeout: kUnavailable otherwise.
  static absl::StatusOr<std::unique_ptr<EtcdMetaStore>> Connect(
      EtcdMetaOptions options);
  ~EtcdMetaStore() override;

  absl::StatusOr<std::optional<coordinator::MetaRecord>> Read(
      std::string_view key) override;
  absl::StatusOr<int64_t> Commit(const coordinator::MetaBatch& batch) override;
  // Pages of options.scan_page_keys keys, all read at the revision of the
  // first page.
  absl::Status ScanEntries(
      std::string_view prefix, std::string_view start,
      const std::function<bool(const coordinator::MetaEntry&)>& fn) override;
  // Scans the whole PREFIX at one revision into a new EmbeddedMetaStore at
  // `dir` (removed again on failure).
  absl::Status Checkpoint(const std::string& dir) override;
  coordinator::MetaLimits limits() const override { return options_.limits; }
  // Key checks, ops and conditions against limits.max_ops and the encoded
  // Txn plus etcd's envelope against limits.max_bytes; nothing is sent.
  absl::Status CheckLimits(const coordinator::MetaBatch& batch) const override;

 private:
  EtcdMetaStore(EtcdMetaOptions options, std::unique_ptr<EtcdClient> client);
  std::string EtcdKey(std::string_view key) const {
    return root_ + std::string(key);
  }

  const EtcdMetaOptions options_;
  const std::string root_;  // prefix + "/"
  std::unique_ptr<EtcdClient> client_;
};

}  // namespace drive::etcd
