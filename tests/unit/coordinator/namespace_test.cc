#include "daemon/coordinator/namespace.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fake_env.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_meta_store.h"

namespace drive::coordinator {
namespace {

using ::drive::testing::FakeEnv;
using ::drive::testing::StatusIs;
using ::drive::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kAccount[] = "studio";

// A manifest for `path` of `chunk_sizes` chunks, each with three replicas.
FileRecord MakeFile(const std::string& path,
                    std::vector<uint64_t> chunk_sizes = {1000}) {
  FileRecord f;
  f.path = path;
  f.mtime_ms = 1'700'000'000'000;
  f.content_type = "image/x-canon-cr3";
  for (size_t i = 0; i < chunk_sizes.size(); ++i) {
    ChunkRef c;
    c.id = ChunkId::Of(absl::StrCat(path, "#", i, "#", chunk_sizes[i]));
    c.size = chunk_sizes[i];
    c.replicas = {"w1/d0", "w2/d0", "e1/d0"};
    f.size += c.size;
    f.chunks.push_back(std::move(c));
  }
  f.hash = ChunkId::Of(path);
  f.durability = "geo";
  return f;
}

// "photo.jpg" with the given attributes.
FileRecord Photo(const std::string& content_type,
                 int64_t mtime_ms = 1'700'000'000'000) {
  FileRecord f = MakeFile("photo.jpg");
  f.content_type = content_type;
  f.mtime_ms = mtime_ms;
  return f;
}

class NamespaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Reopen();
    ASSERT_OK(ns_->CreateAccount(kAccount, false));
  }

  // Closes and reopens the store, as a coordinator restart does.
  void Reopen() {
    ns_.reset();
    store_.reset();
    ASSERT_OK_AND_ASSIGN(store_,
                         drive::testing::OpenTestMetaStore(dir_.Sub("meta")));
    ns_ = std::make_unique<Namespace>(store_.get(), &env_, NamespaceOptions{});
    ASSERT_OK(ns_->Load());
  }

  FileRecord Commit(FileRecord f, const std::string& account = kAccount) {
    auto r = ns_->Commit(account, {std::move(f)}, nullptr);
    EXPECT_OK(r);
    return r.ok() ? r->front() : FileRecord{};
  }

  // Every key and value in the store.
  std::vector<std::pair<std::string, std::string>> Dump() {
    std::vector<std::pair<std::string, std::string>> out;
    EXPECT_OK(store_->Scan("", "", [&](std::string_view k, std::string_view v) {
      out.emplace_back(std::string(k), std::string(v));
      return true;
    }));
    return out;
  }

  size_t StoredFileKeys() {
    size_t n = 0;
    for (const auto& [k, v] : Dump()) n += k.starts_with("f/");
    return n;
  }

  std::vector<std::string> Paths(const std::string& prefix = "") {
    auto listing = ns_->List(kAccount, prefix, "", 10000);
    EXPECT_OK(listing);
    std::vector<std::string> out;
    if (listing.ok()) {
      for (const auto& f : listing->files) out.push_back(f.path);
    }
    return out;
  }

  std::vector<TrashRecord> Trash(const std::string& prefix = "") {
    auto t = ns_->ListTrash(kAccount, prefix);
    EXPECT_OK(t);
    return t.ok() ? *t : std::vector<TrashRecord>{};
  }

  TempDir dir_;
  FakeEnv env_;
  std::unique_ptr<MetaStore> store_;
  std::unique_ptr<Namespace> ns_;
};

// --- Commit and Stat ---

TEST_F(NamespaceTest, CommitThenStatReturnsTheManifest) {
  FileRecord f = MakeFile("sessions/2026/IMG_0001.CR3", {4 << 20, 1 << 20, 7});
  ASSERT_OK_AND_ASSIGN(auto committed, ns_->Commit(kAccount, {f}, nullptr));
  ASSERT_EQ(committed.size(), 1u);
  EXPECT_EQ(committed[0].version, 1u);
  EXPECT_EQ(committed[0].committed_ms, absl::ToUnixMillis(env_.Now()));

  ASSERT_OK_AND_ASSIGN(FileRecord got,
                       ns_->Stat(kAccount, "sessions/2026/IMG_0001.CR3"));
  EXPECT_EQ(got.path, f.path);
  EXPECT_EQ(got.version, 1u);
  EXPECT_EQ(got.size, (5u << 20) + 7);
  EXPECT_EQ(got.mtime_ms, f.mtime_ms);
  EXPECT_EQ(got.content_type, f.content_type);
  EXPECT_EQ(got.hash, f.hash);
  EXPECT_EQ(got.durability, "geo");
  ASSERT_EQ(got.chunks.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(got.chunks[i].id, f.chunks[i].id);
    EXPECT_EQ(got.chunks[i].size, f.chunks[i].size);
    EXPECT_THAT(got.chunks[i].replicas, ElementsAre("w1/d0", "w2/d0", "e1/d0"));
  }
}

TEST_F(NamespaceTest, EmptyFileCommitsWithoutChunks) {
  ASSERT_OK(ns_->Commit(kAccount, {MakeFile("empty.txt", {})}, nullptr));
  ASSERT_OK_AND_ASSIGN(FileRecord got, ns_->Stat(kAccount, "empty.txt"));
  EXPECT_EQ(got.size, 0u);
  EXPECT_THAT(got.chunks, IsEmpty());
}

TEST_F(NamespaceTest, StatOfMissingFileIsNotFound) {
  EXPECT_THAT(ns_->Stat(kAccount, "nothing/here"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(NamespaceTest, SessionCommitOfManyFilesIsAllOrNothing) {
  std::vector<FileRecord> files;
  for (int i = 0; i < 50; ++i) {
    files.push_back(MakeFile(absl::StrCat("session/IMG_", i, ".CR3")));
  }
  files[37].size += 1;  // chunk sizes no longer add up
  EXPECT_THAT(ns_->Commit(kAccount, files, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Paths(), IsEmpty());
  EXPECT_EQ(StoredFileKeys(), 0u);
  EXPECT_EQ(ns_->file_count(), 0u);

  files[37] = MakeFile("session/IMG_37.CR3");
  ASSERT_OK(ns_->Commit(kAccount, files, nullptr));
  EXPECT_EQ(Paths().size(), 50u);
  EXPECT_EQ(ns_->file_count(), 50u);
}

TEST_F(NamespaceTest, CommitRejectsInvalidManifests) {
  FileRecord zero_chunk = MakeFile("a", {10, 0});
  FileRecord big_chunk = MakeFile("b", {kMaxChunkBytes + 1});
  FileRecord long_type = MakeFile("c");
  long_type.content_type = std::string(256, 't');
  for (const auto& f : {zero_chunk, big_chunk, long_type}) {
    EXPECT_THAT(ns_->Commit(kAccount, {f}, nullptr),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << f.path;
  }
  EXPECT_THAT(ns_->Commit(kAccount, {MakeFile("d"), MakeFile("d")}, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ns_->Commit(kAccount, {}, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(StoredFileKeys(), 0u);
}

// Issue 10: a stored content type is written into HTTP response headers,
// so one with CR/LF could add headers to other people's responses.
TEST_F(NamespaceTest, Issue10ContentTypeThatIsNotAMediaTypeIsInvalidArgument) {
  for (const std::string& type :
       {std::string("text/html\r\nContent-Security-Policy: none"),
        std::string("text/plain\nX-Evil: 1"), std::string("text/plain\tx"),
        std::string("image/jp\x80g"), std::string("caf\xc3\xa9/latte"),
        std::string("text/plain\0", 11), std::string("jpeg"),
        std::string("image/"), std::string("/jpeg"),
        std::string("text/plain; charset"), std::string("text/plain; a=\"b")}) {
    EXPECT_THAT(ns_->Commit(kAccount, {Photo(type)}, nullptr),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << type;
  }
  EXPECT_EQ(StoredFileKeys(), 0u);
  for (const char* type :
       {"", "image/jpeg", "text/plain; charset=utf-8",
        "multipart/mixed; boundary=\"a b\"", "application/vnd.a+json"}) {
    EXPECT_OK(ns_->Commit(kAccount, {Photo(type)}, nullptr)) << type;
  }
}

// Issue 10: an mtime of INT64_MIN was stored and listed as year -292275055.
TEST_F(NamespaceTest, Issue10MtimeOutsideYears1970To9999IsInvalidArgument) {
  for (int64_t mtime :
       {std::numeric_limits<int64_t>::min(), int64_t{-1},
        int64_t{253402300800000}, std::numeric_limits<int64_t>::max()}) {
    EXPECT_THAT(ns_->Commit(kAccount, {Photo("image/jpeg", mtime)}, nullptr),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << mtime;
  }
  EXPECT_EQ(StoredFileKeys(), 0u);
  EXPECT_OK(ns_->Commit(kAccount, {Photo("image/jpeg", 0)}, nullptr));
  // 9999-12-31T23:59:59.999Z
  EXPECT_OK(
      ns_->Commit(kAccount, {Photo("image/jpeg", 253402300799999)}, nullptr));
}

TEST_F(NamespaceTest, ExpectedVersionMismatchAbortsTheWholeCommit) {
  Commit(MakeFile("a.jpg"));  // version 1
  std::vector<FileRecord> files = {MakeFile("new.jpg"), MakeFile("a.jpg", {5})};
  std::vector<uint64_t> stale = {0, 0};  // a.jpg is at 1, not 0
  auto refused = ns_->Commit(kAccount, files, &stale);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kAborted));
  // Uploading again would not help: the caller must re-read the versions.
  EXPECT_FALSE(IsUploadAgain(refused.status()));
  EXPECT_THAT(ns_->Stat(kAccount, "new.jpg"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(ns_->Stat(kAccount, "a.jpg")->size, 1000u);
  EXPECT_THAT(Trash(), IsEmpty());
  EXPECT_EQ(ns_->file_count(), 1u);

  std::vector<uint64_t> wrong_count = {0};
  EXPECT_THAT(ns_->Commit(kAccount, files, &wrong_count),
              StatusIs(absl::StatusCode::kInvalidArgument));

  std::vector<uint64_t> current = {0, 1};
  ASSERT_OK_AND_ASSIGN(auto committed, ns_->Commit(kAccount, files, &current));
  EXPECT_EQ(committed[0].version, 1u);
  EXPECT_EQ(committed[1].version, 2u);
}

TEST_F(NamespaceTest, OverwriteMovesOldVersionToTrashAndBumpsVersion) {
  Commit(MakeFile("a.jpg", {100}));
  env_.AdvanceSeconds(5);
  FileRecord second = Commit(MakeFile("a.jpg", {200, 300}));
  EXPECT_EQ(second.version, 2u);
  env_.AdvanceSeconds(5);
  FileRecord third = Commit(MakeFile("a.jpg", {400}));
  EXPECT_EQ(third.version, 3u);

  ASSERT_OK_AND_ASSIGN(FileRecord now, ns_->Stat(kAccount, "a.jpg"));
  EXPECT_EQ(now.version, 3u);
  EXPECT_EQ(now.size, 400u);
  auto trash = Trash();
  ASSERT_EQ(trash.size(), 2u);
  EXPECT_EQ(trash[0].file.version, 1u);  // trash ids sort by time
  EXPECT_EQ(trash[0].file.size, 100u);
  EXPECT_EQ(trash[1].file.version, 2u);
  EXPECT_EQ(trash[1].file.size, 500u);
  EXPECT_EQ(trash[1].file.path, "a.jpg");
  EXPECT_EQ(ns_->file_count(), 1u);
  EXPECT_EQ(ns_->logical_bytes(), 400u);
}

// --- List ---

TEST_F(NamespaceTest, ListPagesThroughEveryFileOnceInPathOrder) {
  ASSERT_OK(ns_->CreateAccount("studio2", false));
  std::vector<FileRecord> files;
  std::vector<std::string> expected;
  for (int i = 0; i < 2500; ++i) {
    // Unpadded numbers: path order differs from creation order.
    std::string path = absl::StrCat("sessions/2026/IMG_", i, ".CR3");
    expected.push_back(path);
    files.push_back(MakeFile(path, {10}));
  }
  files.push_back(MakeFile("other/x.jpg"));
  files.push_back(MakeFile("sessions.txt"));  // outside "sessions/"
  // Each file on its own: on etcd, 2,502 files are many writes.
  for (const auto& r : ns_->CommitEach(kAccount, files)) ASSERT_OK(r);
  // Another account with the same paths, and one sorting between ours.
  ASSERT_OK(ns_->Commit("studio2",
                        {MakeFile("sessions/2026/IMG_0.CR3"),
                         MakeFile("sessions/2026/IMG_1000x.CR3")},
                        nullptr));
  std::sort(expected.begin(), expected.end());

  std::vector<std::string> seen;
  std::vector<size_t> page_sizes;
  std::string cursor;
  do {
    ASSERT_OK_AND_ASSIGN(FileListing page,
                         ns_->List(kAccount, "sessions/", cursor, 1000));
    page_sizes.push_back(page.files.size());
    for (const auto& f : page.files) seen.push_back(f.path);
    if (!page.next_cursor.empty()) {
      EXPECT_EQ(page.next_cursor, page.files.back().path);
    }
    cursor = page.next_cursor;
  } while (!cursor.empty() && page_sizes.size() < 10);
  EXPECT_THAT(page_sizes, ElementsAre(1000, 1000, 500));
  EXPECT_EQ(seen, expected);
}

TEST_F(NamespaceTest, LastFullPageHasNoCursor) {
  ASSERT_OK(ns_->Commit(
      kAccount, {MakeFile("a"), MakeFile("b"), MakeFile("c"), MakeFile("d")},
      nullptr));
  ASSERT_OK_AND_ASSIGN(FileListing first, ns_->List(kAccount, "", "", 2));
  EXPECT_EQ(first.next_cursor, "b");
  ASSERT_OK_AND_ASSIGN(FileListing second, ns_->List(kAccount, "", "b", 2));
  ASSERT_EQ(second.files.size(), 2u);
  EXPECT_EQ(second.files[0].path, "c");
  EXPECT_EQ(second.next_cursor, "");
}

TEST_F(NamespaceTest, ListDoesNotLeakAcrossAccounts) {
  // "studio" is a prefix of the other account names.
  for (const char* other : {"studio2", "studio-x", "studioa"}) {
    ASSERT_OK(ns_->CreateAccount(other, false));
    Commit(MakeFile(absl::StrCat("secret-of-", other)), other);
  }
  Commit(MakeFile("mine"));
  EXPECT_THAT(Paths(), ElementsAre("mine"));
  EXPECT_THAT(Paths("secret"), IsEmpty());
  ASSERT_OK_AND_ASSIGN(FileListing theirs, ns_->List("studio2", "", "", 100));
  ASSERT_EQ(theirs.files.size(), 1u);
  EXPECT_EQ(theirs.files[0].path, "secret-of-studio2");
}

TEST_F(NamespaceTest, ListRejectsBadArguments) {
  EXPECT_THAT(ns_->List(kAccount, "", "", 0),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ns_->List(kAccount, "", "", 10001),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ns_->List(kAccount, "../", "", 10),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ns_->List(kAccount, "a/", "b/x", 10),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// --- Move ---

TEST_F(NamespaceTest, MoveRenamesAFile) {
  Commit(MakeFile("inbox/a.jpg", {300}));
  ASSERT_OK_AND_ASSIGN(FileRecord moved,
                       ns_->Move(kAccount, "inbox/a.jpg", "done/a.jpg", false));
  EXPECT_EQ(moved.path, "done/a.jpg");
  EXPECT_THAT(ns_->Stat(kAccount, "inbox/a.jpg"),
              StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(FileRecord got, ns_->Stat(kAccount, "done/a.jpg"));
  EXPECT_EQ(got.size, 300u);
  EXPECT_EQ(got.chunks.size(), 1u);
  EXPECT_EQ(ns_->file_count(), 1u);
  EXPECT_EQ(ns_->logical_bytes(), 300u);
}

TEST_F(NamespaceTest, MoveOntoExistingPathIsAlreadyExistsWithoutOverwrite) {
  Commit(MakeFile("a.jpg", {100}));
  Commit(MakeFile("b.jpg", {200}));
  EXPECT_THAT(ns_->Move(kAccount, "a.jpg", "b.jpg", false),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(ns_->Stat(kAccount, "a.jpg")->size, 100u);
  EXPECT_EQ(ns_->Stat(kAccount, "b.jpg")->size, 200u);
  EXPECT_THAT(Trash(), IsEmpty());
}

TEST_F(NamespaceTest, MoveWithOverwriteTrashesTheTarget) {
  Commit(MakeFile("a.jpg", {100}));
  Commit(MakeFile("b.jpg", {200}));
  ASSERT_OK_AND_ASSIGN(FileRecord moved,
                       ns_->Move(kAccount, "a.jpg", "b.jpg", true));
  EXPECT_EQ(moved.version, 2u);
  EXPECT_THAT(Paths(), ElementsAre("b.jpg"));
  EXPECT_EQ(ns_->Stat(kAccount, "b.jpg")->size, 100u);
  auto trash = Trash();
  ASSERT_EQ(trash.size(), 1u);
  EXPECT_EQ(trash[0].file.path, "b.jpg");
  EXPECT_EQ(trash[0].file.size, 200u);
  EXPECT_EQ(ns_->file_count(), 1u);
  EXPECT_EQ(ns_->logical_bytes(), 100u);
}

TEST_F(NamespaceTest, MoveOfMissingOrSameFileFails) {
  Commit(MakeFile("a.jpg"));
  EXPECT_THAT(ns_->Move(kAccount, "nope.jpg", "b.jpg", false),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(ns_->Move(kAccount, "a.jpg", "a.jpg", true),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ns_->Move(kAccount, "a.jpg", "../a.jpg", true),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Paths(), ElementsAre("a.jpg"));
}

// --- Delete, trash, restore ---

TEST_F(NamespaceTest, DeleteMovesTheFileToTrash) {
  Commit(MakeFile("a.jpg", {100}));
  ASSERT_OK_AND_ASSIGN(TrashRecord t, ns_->Delete(kAccount, "a.jpg"));
  EXPECT_EQ(t.file.path, "a.jpg");
  EXPECT_EQ(t.deleted_ms, absl::ToUnixMillis(env_.Now()));
  EXPECT_EQ(t.purge_after_ms,
            t.deleted_ms + absl::ToInt64Milliseconds(absl::Hours(24 * 30)));
  EXPECT_THAT(ns_->Stat(kAccount, "a.jpg"),
              StatusIs(absl::StatusCode::kNotFound));
  auto trash = Trash();
  ASSERT_EQ(trash.size(), 1u);
  EXPECT_EQ(trash[0].trash_id, t.trash_id);
  EXPECT_EQ(trash[0].file.size, 100u);
  EXPECT_EQ(trash[0].file.chunks.size(), 1u);
  EXPECT_THAT(ns_->Delete(kAccount, "a.jpg"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(NamespaceTest, ListTrashFiltersByOriginalPath) {
  Commit(MakeFile("x/a.jpg"));
  Commit(MakeFile("y/b.jpg"));
  ASSERT_OK(ns_->Delete(kAccount, "x/a.jpg"));
  ASSERT_OK(ns_->Delete(kAccount, "y/b.jpg"));
  auto trash = Trash("y/");
  ASSERT_EQ(trash.size(), 1u);
  EXPECT_EQ(trash[0].file.path, "y/b.jpg");
}

TEST_F(NamespaceTest, RestoreByPathBringsBackTheNewestDeletedVersion) {
  Commit(MakeFile("a.jpg", {100}));
  ASSERT_OK(ns_->Delete(kAccount, "a.jpg"));
  env_.AdvanceSeconds(60);
  Commit(MakeFile("a.jpg", {222}));
  ASSERT_OK(ns_->Delete(kAccount, "a.jpg"));

  ASSERT_OK_AND_ASSIGN(FileRecord restored,
                       ns_->Restore(kAccount, "a.jpg", ""));
  EXPECT_EQ(restored.path, "a.jpg");
  EXPECT_EQ(restored.size, 222u);
  EXPECT_EQ(ns_->Stat(kAccount, "a.jpg")->size, 222u);
  auto trash = Trash();
  ASSERT_EQ(trash.size(), 1u);
  EXPECT_EQ(trash[0].file.size, 100u);
}

TEST_F(NamespaceTest, RestoreByTrashIdPicksThatEntry) {
  Commit(MakeFile("a.jpg", {100}));
  ASSERT_OK_AND_ASSIGN(TrashRecord older, ns_->Delete(kAccount, "a.jpg"));
  env_.AdvanceSeconds(60);
  Commit(MakeFile("a.jpg", {222}));
  ASSERT_OK(ns_->Delete(kAccount, "a.jpg"));

  ASSERT_OK_AND_ASSIGN(FileRecord restored,
                       ns_->Restore(kAccount, older.trash_id, ""));
  EXPECT_EQ(restored.size, 100u);
  EXPECT_EQ(ns_->Stat(kAccount, "a.jpg")->size, 100u);
  EXPECT_EQ(Trash().size(), 1u);
}

TEST_F(NamespaceTest, RestoreOntoTakenPathIsAlreadyExistsAndKeepsTrash) {
  Commit(MakeFile("a.jpg", {100}));
  ASSERT_OK(ns_->Delete(kAccount, "a.jpg"));
  Commit(MakeFile("a.jpg", {333}));
  EXPECT_THAT(ns_->Restore(kAccount, "a.jpg", ""),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(ns_->Stat(kAccount, "a.jpg")->size, 333u);
  EXPECT_EQ(Trash().size(), 1u);
}

TEST_F(NamespaceTest, RestoreToAnotherPath) {
  Commit(MakeFile("a.jpg", {100}));
  ASSERT_OK(ns_->Delete(kAccount, "a.jpg"));
  Commit(MakeFile("a.jpg", {333}));
  ASSERT_OK_AND_ASSIGN(FileRecord restored,
                       ns_->Restore(kAccount, "a.jpg", "restored/a.jpg"));
  EXPECT_EQ(restored.path, "restored/a.jpg");
  EXPECT_EQ(ns_->Stat(kAccount, "restored/a.jpg")->size, 100u);
  EXPECT_EQ(ns_->Stat(kAccount, "a.jpg")->size, 333u);
  EXPECT_THAT(Trash(), IsEmpty());
}

TEST_F(NamespaceTest, RestoreOfUnknownEntryOrToHostilePathFails) {
  Commit(MakeFile("a.jpg"));
  ASSERT_OK(ns_->Delete(kAccount, "a.jpg"));
  EXPECT_THAT(ns_->Restore(kAccount, "b.jpg", ""),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(ns_->Restore(kAccount, "a.jpg", "../a.jpg"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(Trash().size(), 1u);
  EXPECT_EQ(StoredFileKeys(), 0u);
}

// --- Accounts and tokens ---

TEST_F(NamespaceTest, CreatedAccountTokenAuthenticates) {
  ASSERT_OK_AND_ASSIGN(std::string token, ns_->CreateAccount("wedding", false));
  EXPECT_FALSE(token.empty());
  ASSERT_OK_AND_ASSIGN(std::string account, ns_->AccountForToken(token));
  EXPECT_EQ(account, "wedding");
}

TEST_F(NamespaceTest, WrongOrMissingTokenIsUnauthenticated) {
  ASSERT_OK_AND_ASSIGN(std::string token, ns_->CreateAccount("wedding", false));
  EXPECT_THAT(ns_->AccountForToken(token + "x"),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(ns_->AccountForToken(token.substr(1)),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(ns_->AccountForToken(""),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(NamespaceTest, TokensAreStoredOnlyAsHashes) {
  ASSERT_OK_AND_ASSIGN(std::string first, ns_->CreateAccount("wedding", false));
  ASSERT_OK_AND_ASSIGN(std::string second, ns_->CreateAccount("wedding", true));
  auto dump = Dump();
  ASSERT_FALSE(dump.empty());
  for (const auto& token : {first, second}) {
    for (const auto& [k, v] : dump) {
      EXPECT_EQ(k.find(token), std::string::npos) << "token in key " << k;
      EXPECT_EQ(v.find(token), std::string::npos) << "token in value of " << k;
    }
  }
  Reopen();
  EXPECT_EQ(*ns_->AccountForToken(first), "wedding");
}

TEST_F(NamespaceTest, DuplicateAccountIsAlreadyExists) {
  ASSERT_OK_AND_ASSIGN(std::string token, ns_->CreateAccount("wedding", false));
  EXPECT_THAT(ns_->CreateAccount("wedding", false),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(*ns_->AccountForToken(token), "wedding");
}

TEST_F(NamespaceTest, AddTokenGivesTheAccountASecondWorkingToken) {
  ASSERT_OK_AND_ASSIGN(std::string first, ns_->CreateAccount("wedding", false));
  ASSERT_OK_AND_ASSIGN(std::string second, ns_->CreateAccount("wedding", true));
  EXPECT_NE(first, second);
  EXPECT_EQ(*ns_->AccountForToken(first), "wedding");
  EXPECT_EQ(*ns_->AccountForToken(second), "wedding");
}

TEST_F(NamespaceTest, BadAccountNameIsInvalidArgument) {
  for (const char* name : {"", "Studio", "../x", "a/b", "-lead", "a b"}) {
    EXPECT_THAT(ns_->CreateAccount(name, false),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << name;
  }
  EXPECT_THAT(ns_->Stat("../x", "a.jpg"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(NamespaceTest, OperationsOnMissingAccountAreNotFound) {
  const std::string nobody = "nobody";
  EXPECT_THAT(ns_->Commit(nobody, {MakeFile("a.jpg")}, nullptr),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(ns_->Stat(nobody, "a.jpg"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(ns_->List(nobody, "", "", 10),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(ns_->Move(nobody, "a.jpg", "b.jpg", true),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(ns_->Delete(nobody, "a.jpg"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(ns_->ListTrash(nobody, ""),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(ns_->Restore(nobody, "a.jpg", ""),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(StoredFileKeys(), 0u);
}

// --- Hostile paths ---

TEST_F(NamespaceTest, HostilePathsAreInvalidArgumentAndStoreNothing) {
  std::string long_path;
  while (long_path.size() < 1025) long_path += "abcdefghi/";
  long_path.resize(1025);
  for (const std::string& path :
       {std::string("../x"), std::string("a//b"), std::string("a/./b"),
        std::string("a\0b", 3), std::string("caf\xe9"), long_path,
        std::string("/abs"), std::string("a/")}) {
    EXPECT_THAT(ns_->Commit(kAccount, {MakeFile(path)}, nullptr),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << path.size() << " bytes: " << path;
    // Also as one file of a session commit.
    EXPECT_THAT(
        ns_->Commit(kAccount, {MakeFile("good.jpg"), MakeFile(path)}, nullptr),
        StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(ns_->Stat(kAccount, path),
                StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(ns_->Delete(kAccount, path),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
  EXPECT_EQ(StoredFileKeys(), 0u);
  EXPECT_EQ(ns_->file_count(), 0u);
  EXPECT_EQ(ns_->logical_bytes(), 0u);
}

// --- Counters ---

TEST_F(NamespaceTest, CountersFollowCommitOverwriteDeleteRestoreAndReload) {
  ASSERT_OK(ns_->Commit(kAccount, {MakeFile("a", {100}), MakeFile("b", {20})},
                        nullptr));
  EXPECT_EQ(ns_->file_count(), 2u);
  EXPECT_EQ(ns_->logical_bytes(), 120u);

  Commit(MakeFile("a", {500, 5}));  // overwrite: 100 -> 505
  EXPECT_EQ(ns_->file_count(), 2u);
  EXPECT_EQ(ns_->logical_bytes(), 525u);

  env_.AdvanceSeconds(1);
  ASSERT_OK(ns_->Delete(kAccount, "a"));
  EXPECT_EQ(ns_->file_count(), 1u);
  EXPECT_EQ(ns_->logical_bytes(), 20u);

  ASSERT_OK(ns_->Restore(kAccount, "a", ""));  // the newest: 505 bytes
  EXPECT_EQ(ns_->file_count(), 2u);
  EXPECT_EQ(ns_->logical_bytes(), 525u);

  Reopen();
  EXPECT_EQ(ns_->file_count(), 2u);
  EXPECT_EQ(ns_->logical_bytes(), 525u);
  EXPECT_EQ(ns_->Stat(kAccount, "a")->size, 505u);
  EXPECT_EQ(Trash().size(), 1u);
}

TEST_F(NamespaceTest, CountersSpanAllAccountsAfterReload) {
  ASSERT_OK(ns_->CreateAccount("other", false));
  Commit(MakeFile("a", {100}));
  Commit(MakeFile("a", {7}), "other");
  Reopen();
  EXPECT_EQ(ns_->file_count(), 2u);
  EXPECT_EQ(ns_->logical_bytes(), 107u);
}

}  // namespace
}  // namespace drive::coordinator
