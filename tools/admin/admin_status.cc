// drive-admin status, drives and pgs: what the cluster looks like and what
// puts data at risk, in words.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "client/cli_common/cli_common.h"
#include "common/units.h"
#include "nlohmann/json.hpp"
#include "tools/admin/admin_commands.h"

namespace drive::cli {
namespace {

using client::AdminClient;
using client::ClusterStatus;
using client::DriveStatus;
using Json = nlohmann::ordered_json;

// Regions in map order, then any region only a drive names.
std::vector<std::string> Regions(const ClusterStatus& st) {
  std::vector<std::string> out = st.regions;
  for (const auto& d : st.drives) {
    if (std::find(out.begin(), out.end(), d.region) == out.end())
      out.push_back(d.region);
  }
  return out;
}

double AgeS(int64_t unix_s) {
  return unix_s == 0 ? 0 : absl::ToUnixSeconds(absl::Now()) - unix_s;
}

std::string Eta(double eta_s) {
  return eta_s < 0 ? "unknown" : FormatSeconds(eta_s);
}

// Problems in words. Sets *healthy to false when data is at risk: a drive
// not up, a PG without all its copies, missing copies, a region without
// drives, no map. Scrub and backup trouble are warnings.
std::vector<std::string> Warnings(const ClusterStatus& st, bool* healthy) {
  std::vector<std::string> w;
  *healthy = true;
  auto risk = [&](std::string text) {
    *healthy = false;
    w.push_back(std::move(text));
  };
  if (st.epoch == 0 || st.pg_count == 0 || st.drives.empty())
    risk("no placement map yet");
  for (const auto& region : Regions(st)) {
    std::map<std::string, int> by_state;
    for (const auto& d : st.drives) {
      if (d.region == region) by_state[d.state]++;
    }
    if (by_state.empty()) risk("no drives in region " + region);
    for (const auto& [state, n] : by_state) {
      if (state == "up") continue;
      std::string text = absl::StrCat(n, n == 1 ? " drive " : " drives ", state,
                                      " in region ", region);
      // A drive taken out on purpose with its data moved is not a risk.
      if (state == "out" || state == "draining") {
        w.push_back(text);
      } else {
        risk(text);
      }
    }
  }
  auto pgs = [&](uint32_t n, const char* what) {
    if (n > 0) risk(absl::StrCat(n, n == 1 ? " PG " : " PGs ", what));
  };
  pgs(st.pgs_degraded, "degraded (missing copies)");
  pgs(st.pgs_one_region, "with copies in one region only");
  pgs(st.pgs_unavailable, "unavailable");
  uint32_t counted =
      st.pgs_full + st.pgs_degraded + st.pgs_one_region + st.pgs_unavailable;
  if (st.pg_count > counted) pgs(st.pg_count - counted, "not accounted for");
  if (st.pgs_full < st.pg_count) *healthy = false;
  if (st.repair.lost_chunks > 0) risk(LostText(st.repair));
  for (const auto& d : st.drives) {
    if (d.state == "failed") risk("drive " + d.id + " failed: " + d.error);
  }
  if (st.repair.backlog_chunks() > 0) {
    risk(absl::StrCat(st.repair.backlog_chunks(),
                      " chunk copies missing (repair backlog, ETA ",
                      Eta(st.repair.eta_s), ")"));
  }
  for (const auto& d : st.drives) {
    if (d.capacity_bytes > 0 && d.free_bytes * 10 < d.capacity_bytes) {
      w.push_back(absl::StrFormat(
          "drive %s is %.0f%% full", d.id,
          100.0 * (d.capacity_bytes - d.free_bytes) / d.capacity_bytes));
    }
    if (!d.scrub.reported || d.state == "out") continue;
    if (!d.scrub.on_schedule) {
      w.push_back(absl::StrCat(
          "drive ", d.id, " is behind its scrub deadline (oldest verification ",
          FormatSeconds(AgeS(d.scrub.oldest_verified_unix_s)), " ago)"));
    }
    if (d.scrub.corrupt_found > 0) {
      w.push_back(absl::StrCat("drive ", d.id, ": scrub found ",
                               d.scrub.corrupt_found, " bad copies (",
                               d.scrub.repaired, " repaired, ",
                               d.scrub.repair_failed, " left to repair)"));
    }
  }
  if (st.bad_replicas_reported > 0) {
    w.push_back(absl::StrCat(st.bad_replicas_reported,
                             " bad copies reported by readers"));
  }
  if (!st.last_backup.error.empty()) {
    w.push_back("last metadata backup failed: " + st.last_backup.error);
  }
  return w;
}

Json ScrubJson(const ScrubProgress& s) {
  return {{"reported", s.reported},
          {"pass_fraction", s.pass_fraction},
          {"oldest_verified_unix_s", s.oldest_verified_unix_s},
          {"oldest_verification_age_s", AgeS(s.oldest_verified_unix_s)},
          {"passes", s.passes},
          {"verified_chunks", s.verified_chunks},
          {"verified_bytes", s.verified_bytes},
          {"corrupt_found", s.corrupt_found},
          {"repaired", s.repaired},
          {"repair_failed", s.repair_failed},
          {"quarantined", s.quarantined},
          {"rate_bytes_per_s", s.rate_bytes_per_s},
          {"on_schedule", s.on_schedule}};
}

Json DrivesJson(const ClusterStatus& st) {
  Json drives = Json::array();
  for (const auto& d : st.drives) {
    drives.push_back({{"id", d.id},
                      {"node", d.node},
                      {"address", d.address},
                      {"region", d.region},
                      {"zone", d.zone},
                      {"host", d.host},
                      {"state", d.state},
                      {"capacity_bytes", d.capacity_bytes},
                      {"free_bytes", d.free_bytes},
                      {"chunks", d.chunks},
                      {"logical_bytes", d.logical_bytes},
                      {"heartbeat_age_s", d.heartbeat_age_s},
                      {"pgs", d.pgs},
                      {"scrub", ScrubJson(d.scrub)},
                      {"error", d.error}});
  }
  return drives;
}

Json RepairJson(const client::RepairState& r) {
  Json backlog = Json::array();
  for (const auto& e : r.backlog) {
    backlog.push_back({{"risk", e.risk},
                       {"pgs", e.pgs},
                       {"chunks", e.chunks},
                       {"bytes", e.bytes},
                       {"blocked", e.blocked}});
  }
  return {{"backlog", backlog},
          {"backlog_chunks", r.backlog_chunks()},
          {"backlog_bytes", r.backlog_bytes()},
          {"copied_chunks", r.copied_chunks},
          {"copied_bytes", r.copied_bytes},
          {"failed_copies", r.failed_copies},
          {"rate_bytes_per_s", r.rate_bytes_per_s},
          {"eta_s", r.eta_s},
          {"last_sweep_unix_ms", r.last_sweep_ms},
          {"pgs_checked", r.pgs_checked},
          {"strays_removed", r.strays_removed},
          {"running", r.running},
          {"lost_chunks", r.lost_chunks},
          {"lost_files", r.lost_files},
          {"lost_files_total", r.lost_files_total}};
}

Json StatusJson(const ClusterStatus& st, bool healthy,
                const std::vector<std::string>& warnings) {
  Json drains = Json::array();
  for (const auto& d : st.drains) {
    drains.push_back({{"drive_id", d.drive_id},
                      {"chunks_left", d.chunks_left},
                      {"bytes_left", d.bytes_left},
                      {"done", d.done}});
  }
  return {{"epoch", st.epoch},
          {"pg_count", st.pg_count},
          {"regions", st.regions},
          {"drives", DrivesJson(st)},
          {"pgs_full", st.pgs_full},
          {"pgs_degraded", st.pgs_degraded},
          {"pgs_one_region", st.pgs_one_region},
          {"pgs_unavailable", st.pgs_unavailable},
          {"files", st.files},
          {"logical_bytes", st.logical_bytes},
          {"bad_replicas_reported", st.bad_replicas_reported},
          {"repair", RepairJson(st.repair)},
          {"drains", drains},
          {"last_gc",
           {{"unix_ms", st.last_gc.unix_ms},
            {"trash_expired", st.last_gc.trash_expired},
            {"chunks", st.last_gc.chunks},
            {"bytes", st.last_gc.bytes},
            {"pending", st.last_gc.pending}}},
          {"last_backup",
           {{"id", st.last_backup.id},
            {"unix_ms", st.last_backup.unix_ms},
            {"bytes", st.last_backup.bytes},
            {"kept", st.last_backup.kept},
            {"error", st.last_backup.error}}},
          {"healthy", healthy},
          {"warnings", warnings}};
}

void PrintDrives(const ClusterStatus& st) {
  size_t id_w = 5, node_w = 4, zone_w = 4;
  for (const auto& d : st.drives) {
    id_w = std::max(id_w, d.id.size());
    node_w = std::max(node_w, d.node.size());
    zone_w = std::max(zone_w, d.zone.size());
  }
  for (const auto& region : Regions(st)) {
    std::printf("\nregion %s\n", region.c_str());
    std::printf("  %-*s  %-*s  %-*s  %-8s  %23s  %9s  %5s  %9s  %-24s\n",
                int(id_w), "drive", int(node_w), "node", int(zone_w), "zone",
                "state", "used / capacity", "chunks", "PGs", "heartbeat",
                "scrub pass, oldest check");
    for (const auto& d : st.drives) {
      if (d.region != region) continue;
      uint64_t used =
          d.capacity_bytes > d.free_bytes ? d.capacity_bytes - d.free_bytes : 0;
      std::string usage =
          absl::StrCat(FormatBytes(used), " / ", FormatBytes(d.capacity_bytes));
      std::string scrub =
          d.scrub.reported
              ? absl::StrFormat(
                    "%3.0f%%, %s ago", 100 * d.scrub.pass_fraction,
                    FormatSeconds(AgeS(d.scrub.oldest_verified_unix_s)))
              : "-";
      std::printf("  %-*s  %-*s  %-*s  %-8s  %23s  %9llu  %5u  %9s  %-24s\n",
                  int(id_w), d.id.c_str(), int(node_w), d.node.c_str(),
                  int(zone_w), d.zone.c_str(), d.state.c_str(), usage.c_str(),
                  static_cast<unsigned long long>(d.chunks), d.pgs,
                  FormatSeconds(d.heartbeat_age_s).c_str(), scrub.c_str());
    }
  }
}

void PrintStatus(const ClusterStatus& st, bool healthy,
                 const std::vector<std::string>& warnings) {
  std::printf("epoch %llu, %u PGs, regions %s\n",
              static_cast<unsigned long long>(st.epoch), st.pg_count,
              absl::StrJoin(st.regions, ", ").c_str());
  std::printf("files %llu, %s\n", static_cast<unsigned long long>(st.files),
              FormatBytes(st.logical_bytes).c_str());
  PrintDrives(st);
  std::printf("\nPGs: %u full, %u degraded, %u one-region, %u unavailable\n",
              st.pgs_full, st.pgs_degraded, st.pgs_one_region,
              st.pgs_unavailable);
  const auto& r = st.repair;
  std::printf(
      "repair: %s, last sweep %s, %llu copies made (%s)%s\n",
      r.running ? "running" : "idle", FormatTimeMs(r.last_sweep_ms).c_str(),
      static_cast<unsigned long long>(r.copied_chunks),
      FormatBytes(r.copied_bytes).c_str(),
      r.rate_bytes_per_s > 0
          ? absl::StrCat(", ", Mib(r.rate_bytes_per_s), " MiB/s").c_str()
          : "");
  if (!r.backlog.empty()) {
    std::printf("repair backlog, in repair order (ETA %s):\n",
                Eta(r.eta_s).c_str());
    for (const auto& e : r.backlog) {
      std::printf("  %-12s %6llu PGs %9llu chunks %10s%s%s\n", e.risk.c_str(),
                  static_cast<unsigned long long>(e.pgs),
                  static_cast<unsigned long long>(e.chunks),
                  FormatBytes(e.bytes).c_str(), e.blocked.empty() ? "" : "  ",
                  e.blocked.empty() ? "" : ("waiting: " + e.blocked).c_str());
    }
  }
  for (const auto& d : st.drains) {
    std::printf("drain %s: %s\n", d.drive_id.c_str(),
                d.done ? "done"
                       : absl::StrCat(d.chunks_left, " chunks (",
                                      FormatBytes(d.bytes_left), ") to move")
                             .c_str());
  }
  std::printf("bad replica reports: %llu\n",
              static_cast<unsigned long long>(st.bad_replicas_reported));
  if (st.last_gc.unix_ms != 0) {
    std::printf(
        "last gc %s: %llu trash entries expired, %llu chunks (%s) "
        "collected, %llu pending\n",
        FormatTimeMs(st.last_gc.unix_ms).c_str(),
        static_cast<unsigned long long>(st.last_gc.trash_expired),
        static_cast<unsigned long long>(st.last_gc.chunks),
        FormatBytes(st.last_gc.bytes).c_str(),
        static_cast<unsigned long long>(st.last_gc.pending));
  }
  std::printf("last metadata backup: %s\n",
              st.last_backup.id.empty()
                  ? "none yet"
                  : absl::StrCat(st.last_backup.id, " (",
                                 FormatBytes(st.last_backup.bytes), ", ",
                                 st.last_backup.kept, " kept)")
                        .c_str());
  if (warnings.empty()) {
    std::printf("\nhealthy: every drive up, every PG full\n");
    return;
  }
  std::printf("\n%s:\n", healthy ? "warnings" : "AT RISK");
  for (const auto& w : warnings) std::printf("  %s\n", w.c_str());
}

}  // namespace

std::string LostText(const client::RepairState& r) {
  std::string text =
      absl::StrCat(r.lost_chunks, r.lost_chunks == 1 ? " chunk" : " chunks",
                   " LOST: no drive holds a copy; ", r.lost_files_total,
                   r.lost_files_total == 1 ? " file: " : " files: ",
                   absl::StrJoin(r.lost_files, ", "));
  if (r.lost_files_total > r.lost_files.size()) {
    absl::StrAppend(&text, ", and ", r.lost_files_total - r.lost_files.size(),
                    " more");
  }
  return text;
}

int AdminExitCode(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return kExitUsage;
    default:
      return kExitFailed;
  }
}

int RunStatus(const AdminArgs& a) {
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + std::chrono::milliseconds(
                              static_cast<int64_t>(a.wait_healthy_s * 1000));
  auto admin =
      std::make_unique<AdminClient>(a.coordinator, a.token, absl::Seconds(10));
  absl::StatusOr<ClusterStatus> st;
  bool healthy = false;
  std::vector<std::string> warnings;
  while (true) {
    st = admin->Status();
    if (st.ok()) warnings = Warnings(*st, &healthy);
    if ((st.ok() && healthy) || std::chrono::steady_clock::now() >= deadline)
      break;
    // A fresh channel skips gRPC's reconnect backoff after a failed call.
    if (!st.ok())
      admin = std::make_unique<AdminClient>(a.coordinator, a.token,
                                            absl::Seconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  if (!st.ok()) {
    PrintError("status from " + a.coordinator, st.status());
    return AdminExitCode(st.status()) == kExitFailed ? kExitFailed : kExitUsage;
  }
  if (a.json) {
    std::printf("%s\n", StatusJson(*st, healthy, warnings).dump(2).c_str());
  } else {
    PrintStatus(*st, healthy, warnings);
  }
  if (!healthy && a.wait_healthy_s > 0) {
    PrintError(
        absl::StrFormat("cluster not healthy after %.1f s", a.wait_healthy_s));
  }
  return healthy ? kExitOk : kExitFailed;
}

int RunDrives(const AdminArgs& a) {
  AdminClient admin(a.coordinator, a.token);
  auto st = admin.Status();
  if (!st.ok()) return Fail("drives", st.status());
  if (a.json) {
    std::printf("%s\n", DrivesJson(*st).dump(2).c_str());
  } else {
    PrintDrives(*st);
  }
  bool all_up = true;
  for (const auto& d : st->drives) all_up = all_up && d.state == "up";
  return all_up ? kExitOk : kExitFailed;
}

int RunPgs(const AdminArgs& a) {
  AdminClient admin(a.coordinator, a.token);
  auto pgs = admin.ListPgs(a.unhealthy);
  if (!pgs.ok()) return Fail("pgs", pgs.status());
  bool all_full = true;
  Json out = Json::array();
  for (const auto& p : *pgs) {
    all_full = all_full && p.health == "full";
    if (a.json) {
      out.push_back({{"pg", p.pg},
                     {"drives", p.drives},
                     {"health", p.health},
                     {"synced", p.synced},
                     {"missing_copies", p.missing_copies},
                     {"chunks", p.chunks}});
      continue;
    }
    std::printf("pg %5u  %-11s %-6s chunks %6llu missing %4llu  %s\n", p.pg,
                p.health.c_str(), p.synced ? "synced" : "-",
                static_cast<unsigned long long>(p.chunks),
                static_cast<unsigned long long>(p.missing_copies),
                absl::StrJoin(p.drives, " ").c_str());
  }
  if (a.json) {
    std::printf("%s\n", out.dump(2).c_str());
  } else if (pgs->empty()) {
    std::printf(a.unhealthy ? "every PG is full\n" : "no PGs\n");
  }
  return all_full ? kExitOk : kExitFailed;
}

}  // namespace drive::cli
