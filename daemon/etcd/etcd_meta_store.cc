#include "daemon/etcd/etcd_meta_store.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "daemon/coordinator/embedded_meta_store.h"
#include "daemon/etcd/etcd_client.h"

namespace drive::etcd {
namespace {

using coordinator::MetaBatch;
using coordinator::MetaEntry;
using coordinator::MetaRecord;

constexpr char kScheme[] = "etcd://";
// etcd measures --max-request-bytes on the raft request, which wraps the
// Txn in a small envelope (header with request id and user name); keep
// this much of the limit free for it.
constexpr int64_t kEnvelopeBytes = 512;
// Keys per write when copying into a checkpoint.
constexpr size_t kCheckpointBatchOps = 1000;

// The smallest key greater than every key starting with `prefix`.
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    if (static_cast<unsigned char>(prefix.back()) != 0xff) {
      prefix.back() = static_cast<char>(prefix.back() + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string(1, '\0');  // etcd: "every key >= start"
}

bool ValidEndpoint(std::string_view e) {
  size_t colon = e.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == e.size()) {
    return false;
  }
  return std::all_of(e.begin() + colon + 1, e.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

// The Txn that applies `batch` under `root` (PREFIX + "/"), or
// kInvalidArgument / kResourceExhausted when it breaks `limits`.
absl::StatusOr<etcdserverpb::TxnRequest> BuildTxn(
    const MetaBatch& batch, const std::string& root,
    const coordinator::MetaLimits& limits) {
  // etcd refuses a key twice in one Txn; FinalOps keeps the last op per key,
  // which is what one RocksDB WriteBatch would have done.
  std::vector<MetaBatch::Op> ops = batch.FinalOps();
  DRIVE_RETURN_IF_ERROR(coordinator::CheckBatch(batch, ops, limits));
  etcdserverpb::TxnRequest txn;
  for (const auto& c : batch.conditions()) {
    etcdserverpb::Compare* compare = txn.add_compare();
    compare->set_result(etcdserverpb::Compare::EQUAL);
    compare->set_target(etcdserverpb::Compare::MOD);
    compare->set_key(root + c.key);
    compare->set_mod_revision(c.revision);
    // On failure, read the key's revision for the error message.
    etcdserverpb::RangeRequest* now =
        txn.add_failure()->mutable_request_range();
    now->set_key(compare->key());
    now->set_keys_only(true);
  }
  for (const auto& op : ops) {
    etcdserverpb::RequestOp* r = txn.add_success();
    if (op.del) {
      r->mutable_request_delete_range()->set_key(root + op.key);
    } else {
      r->mutable_request_put()->set_key(root + op.key);
      r->mutable_request_put()->set_value(op.value);
    }
  }
  int64_t bytes = static_cast<int64_t>(txn.ByteSizeLong());
  if (limits.max_bytes > 0 && bytes + kEnvelopeBytes > limits.max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "metadata write of ", bytes, " bytes exceeds the store's limit of ",
        limits.max_bytes, " per write (etcd --max-request-bytes, less ",
        kEnvelopeBytes, " for etcd's envelope); nothing written"));
  }
  return txn;
}

}  // namespace

absl::StatusOr<EtcdTarget> ParseEtcdUrl(std::string_view url) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("--meta \"", Sv(url), "\": ", Sv(why),
                     " (want etcd://HOST:PORT[,HOST:PORT...][/PREFIX])"));
  };
  if (!absl::StartsWith(Sv(url), kScheme)) return bad("not an etcd:// URL");
  std::string_view rest = url.substr(sizeof(kScheme) - 1);
  size_t slash = rest.find('/');
  std::string_view hosts = rest.substr(0, slash);
  EtcdTarget target;
  for (absl::string_view e : absl::StrSplit(Sv(hosts), ',')) {
    if (!ValidEndpoint(Std(e)))
      return bad(absl::StrCat("bad endpoint \"", e, "\""));
    target.endpoints.emplace_back(Std(e));
  }
  if (slash != std::string_view::npos) {
    std::string_view prefix = rest.substr(slash);
    while (absl::EndsWith(Sv(prefix), "/")) prefix.remove_suffix(1);
    if (!prefix.empty()) target.prefix = std::string(prefix);
  }
  return target;
}

EtcdMetaStore::EtcdMetaStore(EtcdMetaOptions options,
                             std::unique_ptr<EtcdClient> client)
    : options_(std::move(options)),
      root_(options_.target.prefix + "/"),
      client_(std::move(client)) {}

EtcdMetaStore::~EtcdMetaStore() = default;

absl::StatusOr<std::unique_ptr<EtcdMetaStore>> EtcdMetaStore::Connect(
    EtcdMetaOptions options) {
  if (options.target.endpoints.empty()) {
    return absl::InvalidArgumentError("no etcd endpoint given");
  }
  if (options.scan_page_keys < 1 || options.scan_page_keys > 10000) {
    return absl::InvalidArgumentError("scan_page_keys must be 1..10000");
  }
  auto client = std::make_unique<EtcdClient>(options.target.endpoints,
                                             options.call_timeout);
  std::unique_ptr<EtcdMetaStore> store(
      new EtcdMetaStore(std::move(options), std::move(client)));
  // One cheap linearizable read proves a quorum answers.
  etcdserverpb::RangeRequest probe;
  probe.set_key(store->root_);
  probe.set_range_end(PrefixEnd(store->root_));
  probe.set_count_only(true);
  DRIVE_RETURN_IF_ERROR(store->client_->Range(probe).status());
  return store;
}

absl::StatusOr<std::optional<MetaRecord>> EtcdMetaStore::Read(
    std::string_view key) {
  DRIVE_RETURN_IF_ERROR(coordinator::CheckKey(key));
  etcdserverpb::RangeRequest request;
  request.set_key(EtcdKey(key));
  DRIVE_ASSIGN_OR_RETURN(auto response, client_->Range(request));
  if (response.kvs_size() == 0) return std::nullopt;
  const mvccpb::KeyValue& kv = response.kvs(0);
  return MetaRecord{kv.value(), kv.mod_revision()};
}

absl::Status EtcdMetaStore::CheckLimits(const MetaBatch& batch) const {
  return BuildTxn(batch, root_, options_.limits).status();
}

absl::StatusOr<int64_t> EtcdMetaStore::Commit(const MetaBatch& batch) {
  DRIVE_ASSIGN_OR_RETURN(etcdserverpb::TxnRequest txn,
                         BuildTxn(batch, root_, options_.limits));
  DRIVE_ASSIGN_OR_RETURN(auto response, client_->Txn(txn));
  if (!response.succeeded()) {
    std::string detail;
    for (size_t i = 0; i < batch.conditions().size() &&
                       i < static_cast<size_t>(response.responses_size());
         ++i) {
      const auto& kvs =
          response.responses(static_cast<int>(i)).response_range().kvs();
      int64_t now =
          kvs.empty() ? coordinator::kAbsentRevision : kvs[0].mod_revision();
      const auto& c = batch.conditions()[i];
      if (now == c.revision) continue;
      absl::StrAppend(&detail, detail.empty() ? "" : ", ", "\"",
                      absl::CHexEscape(c.key), "\" is at revision ", now,
                      ", expected ", c.revision);
    }
    return absl::AbortedError(absl::StrCat(
        "metadata condition failed: ", detail, "; nothing written"));
  }
  return response.header().revision();
}

absl::Status EtcdMetaStore::ScanEntries(
    std::string_view prefix, std::string_view start,
    const std::function<bool(const MetaEntry&)>& fn) {
  etcdserverpb::RangeRequest request;
  request.set_key(EtcdKey(std::max(prefix, start)));
  request.set_range_end(PrefixEnd(EtcdKey(prefix)));
  request.set_limit(options_.scan_page_keys);
  while (true) {
    auto response = client_->Range(request);
    if (absl::IsOutOfRange(response.status())) {
      return absl::AbortedError(absl::StrCat(
          "scan outlived etcd's compaction of revision ", request.revision(),
          "; scan again: ", response.status().message()));
    }
    DRIVE_RETURN_IF_ERROR(response.status());
    // Every later page reads the revision of the first: one state.
    if (request.revision() == 0)
      request.set_revision(response->header().revision());
    for (const mvccpb::KeyValue& kv : response->kvs()) {
      std::string_view key(kv.key());
      key.remove_prefix(root_.size());
      if (!fn(MetaEntry{key, kv.value(), kv.mod_revision()})) {
        return absl::OkStatus();
      }
    }
    if (!response->more() || response->kvs().empty()) return absl::OkStatus();
    // Resume just after the last key.
    request.set_key(response->kvs().rbegin()->key() + std::string(1, '\0'));
  }
}

absl::Status EtcdMetaStore::Checkpoint(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint directory ", dir, " already exists"));
  }
  absl::Status s = [&]() -> absl::Status {
    DRIVE_ASSIGN_OR_RETURN(auto copy,
                           coordinator::EmbeddedMetaStore::Open(dir));
    // The copy is invisible until Checkpoint returns, so writing it in
    // several batches is safe; the scan reads one revision of etcd.
    MetaBatch batch;
    size_t pending = 0;
    absl::Status write;
    DRIVE_RETURN_IF_ERROR(ScanEntries("", "", [&](const MetaEntry& e) {
      batch.Put(std::string(e.key), std::string(e.value));
      if (++pending < kCheckpointBatchOps) return true;
      write = copy->Write(batch);
      batch = MetaBatch();
      pending = 0;
      return write.ok();
    }));
    DRIVE_RETURN_IF_ERROR(write);
    return copy->Write(batch);
  }();
  if (!s.ok()) std::filesystem::remove_all(dir, ec);
  return s;
}

}  // namespace drive::etcd
