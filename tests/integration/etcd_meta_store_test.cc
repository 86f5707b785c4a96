// The MetaStore contract and etcd specifics against a real etcd process
// (one per test binary, a fresh key prefix per test).

#include "daemon/etcd/etcd_meta_store.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/etcd_process.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_meta_store.h"
#include "tests/unit/coordinator/meta_store_contract.h"

namespace drive::etcd {
namespace {

using ::drive::coordinator::MetaBackend;
using ::drive::coordinator::MetaBatch;
using ::drive::coordinator::MetaLimits;
using ::drive::coordinator::MetaStore;
using ::drive::coordinator::MetaStoreContractTest;
using ::drive::coordinator::ValueOf;
using ::drive::testing::SharedEtcd;
using ::drive::testing::StatusIs;
using ::drive::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

EtcdMetaOptions OptionsFor(const std::string& prefix) {
  EtcdMetaOptions o;
  if (SharedEtcd() != nullptr) o.target.endpoints = {SharedEtcd()->endpoint()};
  o.target.prefix = prefix;
  return o;
}

const MetaBackend kEtcd{
    "Etcd", [](const std::string& dir, const MetaLimits& limits, int page) {
      EtcdMetaOptions o = OptionsFor("/contract" + dir);
      o.limits = limits;
      o.scan_page_keys = page;
      return absl::StatusOr<std::unique_ptr<MetaStore>>(
          EtcdMetaStore::Connect(std::move(o)));
    }};

INSTANTIATE_TEST_SUITE_P(Etcd, MetaStoreContractTest, ::testing::Values(&kEtcd),
                         coordinator::BackendName);

TEST(ParseEtcdUrlTest, ReadsEndpointsAndPrefix) {
  ASSERT_OK_AND_ASSIGN(auto t, ParseEtcdUrl("etcd://10.0.0.1:2379"));
  EXPECT_THAT(t.endpoints, ElementsAre("10.0.0.1:2379"));
  EXPECT_EQ(t.prefix, "/drive");
  ASSERT_OK_AND_ASSIGN(
      t, ParseEtcdUrl("etcd://a:2379,b.example:2379,[::1]:23/prod/drive/"));
  EXPECT_THAT(t.endpoints, ElementsAre("a:2379", "b.example:2379", "[::1]:23"));
  EXPECT_EQ(t.prefix, "/prod/drive");
  ASSERT_OK_AND_ASSIGN(t, ParseEtcdUrl("etcd://a:1/"));
  EXPECT_EQ(t.prefix, "/drive");
}

TEST(ParseEtcdUrlTest, RefusesMalformedUrls) {
  for (const char* bad : {"http://a:1", "etcd://", "etcd://a", "etcd://a:",
                          "etcd://:1", "etcd://a:1,", "etcd://a:x/p"}) {
    EXPECT_THAT(ParseEtcdUrl(bad), StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
}

class EtcdMetaStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(SharedEtcd(), nullptr); }
  // A store under a prefix of this test's own.
  std::unique_ptr<EtcdMetaStore> Open(EtcdMetaOptions o) {
    auto s = EtcdMetaStore::Connect(std::move(o));
    EXPECT_OK(s);
    return s.ok() ? std::move(*s) : nullptr;
  }
  std::string Prefix() const { return "/etcd-test" + dir_.path(); }
  TempDir dir_;
};

TEST_F(EtcdMetaStoreTest, KeysLiveUnderThePrefix) {
  auto store = Open(OptionsFor(Prefix()));
  MetaBatch b;
  b.Put("f/acct", "v");
  ASSERT_OK(store->Write(b));
  // A store rooted at "" sees the full etcd key PREFIX/f/acct.
  auto root = Open(OptionsFor(""));
  EXPECT_EQ(ValueOf(root.get(), Prefix().substr(1) + "/f/acct"), "v");
  auto other = Open(OptionsFor(Prefix() + "-other"));
  EXPECT_EQ(ValueOf(other.get(), "f/acct"), "<absent>");
}

// etcd's own defaults (128 ops, 1.5 MiB) on the server and in the options:
// what the store lets through, etcd accepts.
TEST_F(EtcdMetaStoreTest, BatchesAtTheDefaultLimitsAreAccepted) {
  auto store = Open(OptionsFor(Prefix()));
  MetaBatch ops;
  for (int i = 0; i < 128; ++i) ops.Put(absl::StrCat("r/", i), "1");
  EXPECT_OK(store->Write(ops));
  MetaBatch big;
  big.Put("f/big", std::string(1536 * 1024 - 600, 'x'));
  EXPECT_OK(store->Write(big));
  MetaBatch over;
  over.Put("f/over", std::string(1536 * 1024 - 400, 'x'));
  EXPECT_THAT(store->Write(over),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

// Options above the server's limits: etcd's own refusal is still a clear
// RESOURCE_EXHAUSTED, and nothing is applied.
TEST_F(EtcdMetaStoreTest, EtcdsOwnRefusalIsResourceExhausted) {
  EtcdMetaOptions o = OptionsFor(Prefix());
  o.limits = {1000, 64 << 20};
  auto store = Open(o);
  MetaBatch ops;
  for (int i = 0; i < 129; ++i) ops.Put(absl::StrCat("r/", i), "1");
  absl::Status s = store->Write(ops);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(s.message(), HasSubstr("too many operations"));
  MetaBatch big;
  big.Put("f/big", std::string(2 << 20, 'x'));
  EXPECT_THAT(store->Write(big),
              StatusIs(absl::StatusCode::kResourceExhausted));
  int keys = 0;
  ASSERT_OK(store->Scan("", "", [&](std::string_view, std::string_view) {
    ++keys;
    return true;
  }));
  EXPECT_EQ(keys, 0);
}

// One record larger than a request may be (a manifest of a huge file, say)
// is refused before it is sent, with a message naming etcd's limit; the
// batch it came in applies not at all, and the store goes on working.
TEST_F(EtcdMetaStoreTest, SingleRecordOverTheRequestLimitIsRefusedCleanly) {
  auto store = Open(OptionsFor(Prefix()));
  MetaBatch b;
  b.Put("a/small", "v");
  b.Put("f/huge", std::string(2 << 20, 'x'));
  EXPECT_THAT(store->CheckLimits(b),
              StatusIs(absl::StatusCode::kResourceExhausted));
  absl::Status s = store->Write(b);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(s.message(), HasSubstr("--max-request-bytes"));
  EXPECT_THAT(s.message(), HasSubstr("nothing written"));
  EXPECT_EQ(ValueOf(store.get(), "a/small"), "<absent>");
  EXPECT_EQ(ValueOf(store.get(), "f/huge"), "<absent>");
  MetaBatch next;
  next.Put("a/small", "v");
  EXPECT_OK(store->Write(next));
  EXPECT_EQ(ValueOf(store.get(), "a/small"), "v");
}

// Too many keys: the message names etcd's ops limit.
TEST_F(EtcdMetaStoreTest, TooManyKeysNamesTheTxnOpsLimit) {
  auto store = Open(OptionsFor(Prefix()));
  MetaBatch ops;
  for (int i = 0; i < 129; ++i) ops.Put(absl::StrCat("r/", i), "1");
  absl::Status s = store->Write(ops);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(s.message(), HasSubstr("--max-txn-ops"));
  EXPECT_EQ(ValueOf(store.get(), "r/0"), "<absent>");
}

TEST_F(EtcdMetaStoreTest, NoReachableEndpointIsUnavailable) {
  EtcdMetaOptions o;
  o.target.endpoints = {
      absl::StrCat("127.0.0.1:", drive::testing::FreeLoopbackPort())};
  o.call_timeout = absl::Seconds(1);
  EXPECT_THAT(EtcdMetaStore::Connect(o),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(EtcdMetaStoreTest, ReadsMoveOnToTheNextEndpoint) {
  EtcdMetaOptions o = OptionsFor(Prefix());
  o.target.endpoints.insert(
      o.target.endpoints.begin(),
      absl::StrCat("127.0.0.1:", drive::testing::FreeLoopbackPort()));
  o.call_timeout = absl::Seconds(1);
  auto store = Open(o);  // its probe already moved on
  ASSERT_NE(store, nullptr);
  MetaBatch b;
  b.Put("m/epoch", "1");
  ASSERT_OK(store->Write(b));
  EXPECT_EQ(ValueOf(store.get(), "m/epoch"), "1");
}

}  // namespace
}  // namespace drive::etcd
