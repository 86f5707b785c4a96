// `drive-admin`: the operators' command-line tool, a thin main over
// drive::client::AdminClient. Exit codes: 0 ok (and, for `status`, the
// cluster is healthy), 1 failed or the cluster is at risk, 2 usage,
// configuration or connection error.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/cli/cli_common.h"
#include "common/allocator.h"
#include "common/strings.h"
#include "common/units.h"
#include "drive/admin_client.h"
#include "nlohmann/json.hpp"

namespace drive::cli {
namespace {

using client::AdminClient;
using client::ClusterStatus;
using client::DriveStatus;
using Json = nlohmann::ordered_json;

struct Args {
  std::string coordinator, token;
  bool json = false;
  double wait_healthy_s = 0;
  std::string name, drive_id;
  bool add_token = false;
};

// Connection and configuration problems are 2; a refused operation is 1.
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

// Regions in map order, then any region only a drive names.
std::vector<std::string> Regions(const ClusterStatus& st) {
  std::vector<std::string> out = st.regions;
  for (const auto& d : st.drives) {
    if (std::find(out.begin(), out.end(), d.region) == out.end())
      out.push_back(d.region);
  }
  return out;
}

// Problems in words. Sets *healthy to false when data is at risk: a drive
// not up, a PG without all its copies, a region without drives, no map.
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
      risk(absl::StrCat(n, n == 1 ? " drive " : " drives ", state,
                        " in region ", region));
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
  for (const auto& d : st.drives) {
    if (d.capacity_bytes > 0 && d.free_bytes * 10 < d.capacity_bytes) {
      w.push_back(absl::StrFormat(
          "drive %s is %.0f%% full", d.id,
          100.0 * (d.capacity_bytes - d.free_bytes) / d.capacity_bytes));
    }
  }
  if (st.bad_replicas_reported > 0) {
    w.push_back(absl::StrCat(st.bad_replicas_reported, " bad replica reports"));
  }
  return w;
}

Json StatusJson(const ClusterStatus& st, bool healthy,
                const std::vector<std::string>& warnings) {
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
                      {"pgs", d.pgs}});
  }
  return {{"epoch", st.epoch},
          {"pg_count", st.pg_count},
          {"regions", st.regions},
          {"drives", drives},
          {"pgs_full", st.pgs_full},
          {"pgs_degraded", st.pgs_degraded},
          {"pgs_one_region", st.pgs_one_region},
          {"pgs_unavailable", st.pgs_unavailable},
          {"files", st.files},
          {"logical_bytes", st.logical_bytes},
          {"bad_replicas_reported", st.bad_replicas_reported},
          {"healthy", healthy},
          {"warnings", warnings}};
}

void PrintStatus(const ClusterStatus& st, bool healthy,
                 const std::vector<std::string>& warnings) {
  std::printf("epoch %llu, %u PGs, regions %s\n",
              static_cast<unsigned long long>(st.epoch), st.pg_count,
              absl::StrJoin(st.regions, ", ").c_str());
  std::printf("files %llu, %s\n", static_cast<unsigned long long>(st.files),
              FormatBytes(st.logical_bytes).c_str());
  size_t id_w = 5, node_w = 4, zone_w = 4;
  for (const auto& d : st.drives) {
    id_w = std::max(id_w, d.id.size());
    node_w = std::max(node_w, d.node.size());
    zone_w = std::max(zone_w, d.zone.size());
  }
  for (const auto& region : Regions(st)) {
    std::printf("\nregion %s\n", region.c_str());
    std::printf("  %-*s  %-*s  %-*s  %-5s  %23s  %9s  %5s  %9s\n", int(id_w),
                "drive", int(node_w), "node", int(zone_w), "zone", "state",
                "used / capacity", "chunks", "PGs", "heartbeat");
    for (const auto& d : st.drives) {
      if (d.region != region) continue;
      uint64_t used =
          d.capacity_bytes > d.free_bytes ? d.capacity_bytes - d.free_bytes : 0;
      std::string usage =
          absl::StrCat(FormatBytes(used), " / ", FormatBytes(d.capacity_bytes));
      std::printf("  %-*s  %-*s  %-*s  %-5s  %23s  %9llu  %5u  %9s\n",
                  int(id_w), d.id.c_str(), int(node_w), d.node.c_str(),
                  int(zone_w), d.zone.c_str(), d.state.c_str(), usage.c_str(),
                  static_cast<unsigned long long>(d.chunks), d.pgs,
                  FormatSeconds(d.heartbeat_age_s).c_str());
    }
  }
  std::printf("\nPGs: %u full, %u degraded, %u one-region, %u unavailable\n",
              st.pgs_full, st.pgs_degraded, st.pgs_one_region,
              st.pgs_unavailable);
  std::printf("bad replica reports: %llu\n",
              static_cast<unsigned long long>(st.bad_replicas_reported));
  if (warnings.empty()) {
    std::printf("\nhealthy: every drive up, every PG full\n");
    return;
  }
  std::printf("\n%s:\n", healthy ? "warnings" : "AT RISK");
  for (const auto& w : warnings) std::printf("  %s\n", w.c_str());
}

int RunStatus(const std::string& coordinator, const std::string& token,
              const Args& a) {
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + std::chrono::milliseconds(
                              static_cast<int64_t>(a.wait_healthy_s * 1000));
  auto admin =
      std::make_unique<AdminClient>(coordinator, token, absl::Seconds(10));
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
      admin =
          std::make_unique<AdminClient>(coordinator, token, absl::Seconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  if (!st.ok()) {
    PrintError("status from " + coordinator, st.status());
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

int Main(int argc, char** argv) {
  SetProgramName("drive-admin");
  CLI::App app{
      "drive-admin: operate a Drive cluster.\n"
      "Settings come from DRIVE_COORDINATOR and DRIVE_ADMIN_TOKEN;\n"
      "the flags below override them.\n"
      "Exit codes: 0 ok (status: healthy), 1 failed (status: at risk),\n"
      "2 usage, configuration or connection error."};
  app.require_subcommand(1);
  app.fallthrough();
  Args a;
  app.add_option("--coordinator", a.coordinator,
                 "Coordinator HOST:PORT ($DRIVE_COORDINATOR)");
  app.add_option("--token", a.token, "Admin token ($DRIVE_ADMIN_TOKEN)");

  CLI::App* status = app.add_subcommand("status",
                                        "Regions, drives, PG health, files and "
                                        "warnings; exit 0 only when healthy");
  status->add_flag("--json", a.json, "Print the status as JSON");
  status
      ->add_option("--wait-healthy", a.wait_healthy_s,
                   "Poll every 0.5 s until healthy, up to this many seconds")
      ->check(CLI::Range(0.0, 86400.0));
  CLI::App* account = app.add_subcommand("account", "Manage accounts");
  account->require_subcommand(1);
  CLI::App* create = account->add_subcommand(
      "create", "Create an account and print its token on stdout");
  create->add_option("name", a.name, "Account name")->required();
  create->add_flag(
      "--add-token", a.add_token,
      "If the account exists, issue it another token instead of failing");
  CLI::App* drive =
      app.add_subcommand("drive", "Change a drive's placement state");
  drive->require_subcommand(1);
  CLI::App* out = drive->add_subcommand(
      "out", "Take a drive out of placement (its PGs move)");
  out->add_option("drive_id", a.drive_id, "Drive id NODE/DRIVE")->required();
  CLI::App* in = drive->add_subcommand("in", "Put a drive back into placement");
  in->add_option("drive_id", a.drive_id, "Drive id NODE/DRIVE")->required();

  if (int rc = ParseArgs(app, argc, argv); rc >= 0) return rc;
  auto coordinator = Setting(a.coordinator, "DRIVE_COORDINATOR",
                             "--coordinator", "coordinator address");
  auto token = Setting(a.token, "DRIVE_ADMIN_TOKEN", "--token", "admin token");
  for (const auto* s : {&coordinator, &token}) {
    if (!s->ok()) {
      PrintError(Std(s->status().message()));
      return kExitUsage;
    }
  }
  if (status->parsed()) return RunStatus(*coordinator, *token, a);

  AdminClient admin(*coordinator, *token);
  if (create->parsed()) {
    auto t = admin.CreateAccount(a.name, a.add_token);
    if (!t.ok()) {
      PrintError("account create " + a.name, t.status());
      return AdminExitCode(t.status());
    }
    std::printf("%s\n", t->c_str());
    return kExitOk;
  }
  bool take_out = out->parsed();
  auto epoch = admin.SetDriveOut(a.drive_id, take_out);
  if (!epoch.ok()) {
    PrintError(absl::StrCat("drive ", take_out ? "out " : "in ", a.drive_id),
               epoch.status());
    return AdminExitCode(epoch.status());
  }
  std::printf("drive %s is %s placement (epoch %llu)\n", a.drive_id.c_str(),
              take_out ? "out of" : "back in",
              static_cast<unsigned long long>(*epoch));
  return kExitOk;
}

}  // namespace
}  // namespace drive::cli

int main(int argc, char** argv) {
  drive::TuneAllocatorForLargeBuffers();
  return drive::cli::Main(argc, argv);
}
