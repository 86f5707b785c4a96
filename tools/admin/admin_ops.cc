// drive-admin fsck, scrub, repair, drain, gc and metadata: operations that
// find and fix problems. Thin over the client library.

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/cli_common/cli_common.h"
#include "common/strings.h"
#include "common/units.h"
#include "drive/fsck.h"
#include "drive/metadata_restore.h"
#include "nlohmann/json.hpp"
#include "tools/admin/admin_commands.h"

namespace drive::cli {
namespace {

using client::AdminClient;
using Json = nlohmann::ordered_json;

std::string Eta(double eta_s) {
  return eta_s < 0 ? "unknown" : FormatSeconds(eta_s);
}

void PrintRepair(const client::RepairState& r) {
  std::printf("repair backlog: %llu copies (%s), ETA %s; %llu made so far\n",
              static_cast<unsigned long long>(r.backlog_chunks()),
              FormatBytes(r.backlog_bytes()).c_str(), Eta(r.eta_s).c_str(),
              static_cast<unsigned long long>(r.copied_chunks));
  for (const auto& e : r.backlog) {
    std::printf("  %-12s %llu chunks in %llu PGs%s\n", e.risk.c_str(),
                static_cast<unsigned long long>(e.chunks),
                static_cast<unsigned long long>(e.pgs),
                e.blocked.empty() ? "" : (", waiting: " + e.blocked).c_str());
  }
  if (r.lost_chunks > 0) std::printf("%s\n", LostText(r).c_str());
}

// The cluster token for commands that talk to nodes without a coordinator.
absl::StatusOr<std::string> ClusterToken(const AdminArgs& a) {
  std::string file = a.cluster_token_file;
  if (file.empty()) {
    if (const char* env = std::getenv("DRIVE_CLUSTER_TOKEN"); env && *env)
      return std::string(env);
    if (const char* f = std::getenv("DRIVE_CLUSTER_TOKEN_FILE"); f && *f)
      file = f;
  }
  if (file.empty()) {
    return absl::InvalidArgumentError(
        "no cluster token: pass --cluster-token-file or set "
        "DRIVE_CLUSTER_TOKEN(_FILE)");
  }
  std::ifstream in(file);
  std::stringstream buf;
  buf << in.rdbuf();
  std::string token = buf.str();
  while (!token.empty() &&
         std::isspace(static_cast<unsigned char>(token.back())))
    token.pop_back();
  if (!in || token.empty()) {
    return absl::InvalidArgumentError("cannot read a cluster token from " +
                                      file);
  }
  return token;
}

}  // namespace

int RunFsck(const AdminArgs& a) {
  client::FsckOptions o;
  o.coordinator = a.coordinator;
  o.admin_token = a.token;
  o.deep = a.deep;
  std::string target = NormalizeRemote(a.target);
  size_t slash = target.find('/');
  o.account = target.substr(0, slash);
  if (slash != std::string::npos) o.prefix = target.substr(slash + 1);
  auto report = client::RunFsck(o);
  if (!report.ok()) return Fail("fsck", report.status());
  if (a.json) {
    Json problems = Json::array();
    for (const auto& p : report->problems) {
      problems.push_back({{"account", p.account},
                          {"path", p.path},
                          {"chunk_index", p.chunk_index},
                          {"chunk", p.chunk.ToHex()},
                          {"copies", p.copies},
                          {"missing", p.missing},
                          {"problem", p.text}});
    }
    Json out = {{"files", report->files},
                {"chunks", report->chunks},
                {"copies_checked", report->copies_checked},
                {"copies_verified", report->copies_verified},
                {"deep", a.deep},
                {"problems", problems},
                {"repair_queued", report->repair_queued},
                {"ok", report->ok()}};
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    for (const auto& p : report->problems) {
      std::printf("%s/%s%s\n", p.account.c_str(), p.text.c_str(),
                  report->repair_queued ? "; repair queued" : "");
    }
    std::printf(
        "%llu files, %llu chunks, %llu copies %s: %s\n",
        static_cast<unsigned long long>(report->files),
        static_cast<unsigned long long>(report->chunks),
        static_cast<unsigned long long>(report->copies_checked),
        a.deep ? "read and verified" : "checked",
        report->ok()
            ? "every chunk has six copies on its drives"
            : absl::StrCat(report->problems.size(), " chunks at risk").c_str());
  }
  return report->ok() ? kExitOk : kExitFailed;
}

int RunScrub(const AdminArgs& a) {
  AdminClient admin(a.coordinator, a.token);
  auto r = admin.Scrub(a.drive_id, a.now);
  if (!r.ok()) return Fail("scrub", r.status());
  bool ok = true;
  Json out = Json::array();
  for (const auto& d : *r) {
    ok = ok && d.error.empty();
    int64_t age = d.progress.oldest_verified_unix_s == 0
                      ? 0
                      : absl::ToUnixSeconds(absl::Now()) -
                            d.progress.oldest_verified_unix_s;
    if (a.json) {
      out.push_back({{"drive", d.drive_id},
                     {"verified_chunks", d.verified_chunks},
                     {"corrupt_found", d.corrupt_found},
                     {"repaired", d.repaired},
                     {"pass_fraction", d.progress.pass_fraction},
                     {"oldest_verification_age_s", age},
                     {"on_schedule", d.progress.on_schedule},
                     {"quarantined", d.progress.quarantined},
                     {"error", d.error}});
      continue;
    }
    if (!d.error.empty()) {
      std::printf("%-12s error: %s\n", d.drive_id.c_str(), d.error.c_str());
    } else if (a.now) {
      std::printf("%-12s verified %llu chunks: %llu bad, %llu repaired\n",
                  d.drive_id.c_str(),
                  static_cast<unsigned long long>(d.verified_chunks),
                  static_cast<unsigned long long>(d.corrupt_found),
                  static_cast<unsigned long long>(d.repaired));
    } else {
      std::printf(
          "%-12s pass %3.0f%%, oldest verification %s ago%s, %llu bad found, "
          "%llu repaired, %llu quarantine records\n",
          d.drive_id.c_str(), 100 * d.progress.pass_fraction,
          FormatSeconds(static_cast<double>(age)).c_str(),
          d.progress.on_schedule ? "" : " (BEHIND)",
          static_cast<unsigned long long>(d.progress.corrupt_found),
          static_cast<unsigned long long>(d.progress.repaired),
          static_cast<unsigned long long>(d.progress.quarantined));
    }
    if (a.now && d.corrupt_found > d.repaired) ok = false;
  }
  if (a.json) std::printf("%s\n", out.dump(2).c_str());
  return ok ? kExitOk : kExitFailed;
}

int RunRepair(const AdminArgs& a) {
  AdminClient admin(a.coordinator, a.token);
  auto start = std::chrono::steady_clock::now();
  auto r = admin.Repair(a.wait);
  // Another sweep can do more while the last one made copies (the next
  // checks them, and more may follow) or could not check some PGs; done
  // only when one found nothing missing.
  auto more = [](const client::RepairState& s) {
    return !s.complete && (s.copies_planned > 0 || s.pgs_unchecked > 0);
  };
  bool timed_out = false;
  while (r.ok() && a.wait && more(*r)) {
    double spent =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (spent > a.timeout_s) {
      timed_out = true;
      break;
    }
    if (!a.json) PrintRepair(*r);
    r = admin.Repair(true);  // one more sweep, with its copies
  }
  if (!r.ok()) return Fail("repair", r.status());
  if (a.json) {
    Json backlog = Json::array();
    for (const auto& e : r->backlog) {
      backlog.push_back({{"risk", e.risk},
                         {"pgs", e.pgs},
                         {"chunks", e.chunks},
                         {"bytes", e.bytes},
                         {"blocked", e.blocked}});
    }
    Json out = {{"backlog", backlog},
                {"copied_chunks", r->copied_chunks},
                {"copied_bytes", r->copied_bytes},
                {"eta_s", r->eta_s},
                {"lost_chunks", r->lost_chunks},
                {"lost_files", r->lost_files},
                {"lost_files_total", r->lost_files_total}};
    if (a.wait) out["complete"] = r->complete;
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    PrintRepair(*r);
  }
  if (!a.wait) return kExitOk;
  if (r->complete) {
    if (!a.json) std::printf("repair complete: nothing is missing\n");
    return kExitOk;
  }
  if (r->lost_chunks > 0) PrintError(LostText(*r));
  if (timed_out) {
    PrintError("repair did not finish in time");
  } else if (r->pgs_unchecked > 0) {
    PrintError(absl::StrCat("repair could not check ", r->pgs_unchecked,
                            " PGs (see the coordinator's log)"));
  } else if (r->lost_chunks == 0 || r->backlog_chunks() > 0) {
    PrintError(
        "repair cannot finish now: drives that should hold copies are "
        "unreachable");
  }
  return kExitFailed;
}

int RunDrain(const AdminArgs& a) {
  AdminClient admin(a.coordinator, a.token);
  auto epoch = admin.Drain(a.drive_id, a.cancel);
  if (!epoch.ok()) return Fail("drain " + a.drive_id, epoch.status());
  std::printf("%s %s (epoch %llu)\n",
              a.cancel ? "drain cancelled:" : "draining", a.drive_id.c_str(),
              static_cast<unsigned long long>(*epoch));
  if (a.cancel || !a.wait) return kExitOk;
  auto start = std::chrono::steady_clock::now();
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
             .count() < a.timeout_s) {
    auto st = admin.Status();
    if (st.ok()) {
      bool draining = false;
      for (const auto& d : st->drives) {
        if (d.id == a.drive_id) draining = d.state == "draining";
      }
      if (!draining) {
        std::printf("drain of %s done: its data has moved; it is out\n",
                    a.drive_id.c_str());
        return kExitOk;
      }
    }
    admin.Repair(/*wait=*/true).IgnoreError();  // progress, reported below
  }
  PrintError("drain did not finish in time");
  return kExitFailed;
}

int RunGc(const AdminArgs& a) {
  AdminClient admin(a.coordinator, a.token);
  auto r = admin.CollectGarbage(a.dry_run);
  if (!r.ok()) return Fail("gc", r.status());
  if (a.json) {
    std::printf("%s\n", Json({{"dry_run", r->dry_run},
                              {"trash_expired", r->trash_expired},
                              {"chunks", r->chunks},
                              {"bytes", r->bytes},
                              {"pending", r->pending}})
                            .dump(2)
                            .c_str());
    return kExitOk;
  }
  std::printf(
      "%s%llu trash entries expired, %llu unreferenced chunks (%s) %s, %llu "
      "waiting for unreachable drives\n",
      a.dry_run ? "dry run: " : "",
      static_cast<unsigned long long>(r->trash_expired),
      static_cast<unsigned long long>(r->chunks), FormatBytes(r->bytes).c_str(),
      a.dry_run ? "would be collected" : "collected",
      static_cast<unsigned long long>(r->pending));
  return kExitOk;
}

int RunMetadataBackup(const AdminArgs& a) {
  AdminClient admin(a.coordinator, a.token);
  auto b = admin.BackupMetadata();
  if (!b.ok()) return Fail("metadata backup", b.status());
  std::printf("backup %s: %s, %u backups kept\n", b->id.c_str(),
              FormatBytes(b->bytes).c_str(), b->kept);
  return kExitOk;
}

int RunMetadataList(const AdminArgs& a) {
  auto token = ClusterToken(a);
  if (!token.ok()) return Fail("metadata list", token.status());
  auto list = client::ListMetadataBackups(a.nodes, *token);
  if (!list.ok()) return Fail("metadata list", list.status());
  for (const auto& b : *list) {
    std::printf("%s  %s  %llu files  %s\n", b.id.c_str(),
                FormatTimeMs(b.created_ms).c_str(),
                static_cast<unsigned long long>(b.files),
                FormatBytes(b.bytes).c_str());
  }
  if (list->empty()) std::printf("no backups\n");
  return list->empty() ? kExitFailed : kExitOk;
}

int RunMetadataRestore(const AdminArgs& a) {
  auto token = ClusterToken(a);
  if (!token.ok()) return Fail("metadata restore", token.status());
  client::RestoreOptions o;
  o.nodes = a.nodes;
  o.cluster_token = *token;
  o.data_dir = a.data_dir;
  o.backup_id = a.backup_id;
  auto r = client::RestoreMetadata(o);
  if (!r.ok()) return Fail("metadata restore", r.status());
  std::printf(
      "restored backup %s (%s, %llu files, %s) into %s; start the "
      "coordinator with --data %s. Changes made after %s are not in it.\n",
      r->backup.id.c_str(), FormatTimeMs(r->backup.created_ms).c_str(),
      static_cast<unsigned long long>(r->backup.files),
      FormatBytes(r->backup.bytes).c_str(), a.data_dir.c_str(),
      a.data_dir.c_str(), FormatTimeMs(r->backup.created_ms).c_str());
  return kExitOk;
}

}  // namespace drive::cli
