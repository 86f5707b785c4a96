// `drive-admin`: the operators' command-line tool, a thin main over
// drive::client::AdminClient. Exit codes: 0 ok (and, for `status`, the
// cluster is healthy), 1 failed or the cluster is at risk, 2 usage,
// configuration or connection error.

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/cli_common/cli_common.h"
#include "common/allocator.h"
#include "common/strings.h"
#include "drive/admin_client.h"
#include "tools/admin/admin_commands.h"

namespace drive::cli {
namespace {

using client::AdminClient;

// One leaf subcommand: where CLI11 records that it was given, whether it
// talks to the coordinator (and so needs --coordinator and --token), and the
// function that runs it and returns the exit code.
struct Command {
  CLI::App* cli;
  bool needs_coordinator;
  int (*run)(const AdminArgs& a);
};
using Commands = std::vector<Command>;

// `account create NAME`: prints the new token on stdout.
int RunAccountCreate(const AdminArgs& a) {
  AdminClient admin(a.coordinator, a.token);
  auto t = admin.CreateAccount(a.name, a.add_token);
  if (!t.ok()) {
    PrintError("account create " + a.name, t.status());
    return AdminExitCode(t.status());
  }
  std::printf("%s\n", t->c_str());
  return kExitOk;
}

// `drive out|in DRIVE`.
int RunDriveOutOrIn(const AdminArgs& a, bool take_out) {
  AdminClient admin(a.coordinator, a.token);
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
int RunDriveOut(const AdminArgs& a) { return RunDriveOutOrIn(a, true); }
int RunDriveIn(const AdminArgs& a) { return RunDriveOutOrIn(a, false); }

void AddJsonFlag(CLI::App* c, AdminArgs& a) {
  c->add_flag("--json", a.json, "Print the result as JSON");
}

// status, drives, pgs, fsck, scrub: what the cluster holds and how healthy.
void AddInspectCommands(CLI::App& app, AdminArgs& a, Commands& commands) {
  CLI::App* status = app.add_subcommand(
      "status",
      "Regions, drives, PG health, repair backlog, scrub progress and "
      "warnings; exit 0 only when healthy");
  AddJsonFlag(status, a);
  status
      ->add_option("--wait-healthy", a.wait_healthy_s,
                   "Poll every 0.5 s until healthy, up to this many seconds")
      ->check(CLI::Range(0.0, 86400.0));
  CLI::App* drives =
      app.add_subcommand("drives", "Drives with state, usage and scrub state");
  AddJsonFlag(drives, a);
  CLI::App* pgs = app.add_subcommand("pgs", "PGs with their drives and health");
  pgs->add_flag("--unhealthy", a.unhealthy, "Only PGs that are not full");
  AddJsonFlag(pgs, a);
  CLI::App* fsck = app.add_subcommand(
      "fsck",
      "Check that every chunk of every file has six copies on its drives; "
      "exit 1 when anything is at risk");
  fsck->add_option("target", a.target,
                   "ACCOUNT or ACCOUNT/PATH-PREFIX (default: everything)");
  fsck->add_flag("--deep", a.deep, "Also read and verify every copy");
  AddJsonFlag(fsck, a);
  CLI::App* scrub = app.add_subcommand(
      "scrub", "Scrub progress per drive, or a scrub pass now");
  scrub->add_option("--drive", a.drive_id, "Only this drive NODE/DRIVE");
  scrub->add_flag("--now", a.now,
                  "Run a full unthrottled pass now and wait for it");
  AddJsonFlag(scrub, a);
  commands.insert(commands.end(), {{status, true, RunStatus},
                                   {drives, true, RunDrives},
                                   {pgs, true, RunPgs},
                                   {fsck, true, RunFsck},
                                   {scrub, true, RunScrub}});
}

// repair, drain, gc: work the coordinator does on demand.
void AddRepairCommands(CLI::App& app, AdminArgs& a, Commands& commands) {
  CLI::App* repair = app.add_subcommand(
      "repair", "Run an anti-entropy sweep now and show the repair backlog");
  repair->add_flag("--wait", a.wait,
                   "Sweep until nothing is missing (or only unreachable "
                   "drives miss copies); exit 1 if copies remain");
  repair->add_option("--timeout", a.timeout_s, "Seconds --wait may take")
      ->capture_default_str();
  AddJsonFlag(repair, a);
  CLI::App* drain = app.add_subcommand(
      "drain",
      "Move a drive's data to its PGs' other drives, then mark it out; "
      "no chunk ever has fewer copies than before");
  drain->add_option("drive_id", a.drive_id, "Drive id NODE/DRIVE")->required();
  drain->add_flag("--cancel", a.cancel, "Stop draining; the drive stays in");
  drain->add_flag("--wait", a.wait, "Wait until the drain is done");
  drain->add_option("--timeout", a.timeout_s, "Seconds --wait may take")
      ->capture_default_str();
  CLI::App* gc = app.add_subcommand(
      "gc", "Expire trash and delete chunks no file references");
  gc->add_flag("--dry-run", a.dry_run, "Only report what would be deleted");
  AddJsonFlag(gc, a);
  commands.insert(
      commands.end(),
      {{repair, true, RunRepair}, {drain, true, RunDrain}, {gc, true, RunGc}});
}

// metadata backup|list|restore. Listing and restoring backups needs storage
// nodes only.
void AddMetadataCommands(CLI::App& app, AdminArgs& a, Commands& commands) {
  CLI::App* metadata =
      app.add_subcommand("metadata", "Coordinator metadata backups");
  metadata->require_subcommand(1);
  CLI::App* backup =
      metadata->add_subcommand("backup", "Take a metadata backup now");
  auto node_options = [&](CLI::App* c) {
    c->add_option("--node", a.nodes,
                  "A storage node HOST:PORT to read backups from (repeat)")
        ->required();
    c->add_option("--cluster-token-file", a.cluster_token_file,
                  "Cluster token file (else $DRIVE_CLUSTER_TOKEN or "
                  "$DRIVE_CLUSTER_TOKEN_FILE)");
  };
  CLI::App* list = metadata->add_subcommand(
      "list", "Backups the storage nodes hold (no coordinator needed)");
  node_options(list);
  CLI::App* restore = metadata->add_subcommand(
      "restore",
      "Rebuild a coordinator's database from the newest backup on the "
      "nodes (no coordinator needed)");
  node_options(restore);
  restore
      ->add_option("--data", a.data_dir,
                   "New directory for the coordinator's database")
      ->required();
  restore->add_option("--id", a.backup_id, "Backup id (default: newest)");
  commands.insert(commands.end(), {{backup, true, RunMetadataBackup},
                                   {list, false, RunMetadataList},
                                   {restore, false, RunMetadataRestore}});
}

// account create, drive out|in.
void AddAccountAndDriveCommands(CLI::App& app, AdminArgs& a,
                                Commands& commands) {
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
  commands.insert(commands.end(), {{create, true, RunAccountCreate},
                                   {out, true, RunDriveOut},
                                   {in, true, RunDriveIn}});
}

// --coordinator and --token, else $DRIVE_COORDINATOR and $DRIVE_ADMIN_TOKEN,
// into `a`. kExitOk, or kExitUsage (printed) when either is missing.
int ResolveCoordinatorSettings(AdminArgs& a) {
  auto coordinator = Setting(a.coordinator, "DRIVE_COORDINATOR",
                             "--coordinator", "coordinator address");
  auto token = Setting(a.token, "DRIVE_ADMIN_TOKEN", "--token", "admin token");
  for (const auto* s : {&coordinator, &token}) {
    if (!s->ok()) {
      PrintError(Std(s->status().message()));
      return kExitUsage;
    }
  }
  a.coordinator = *coordinator;
  a.token = *token;
  return kExitOk;
}

int Main(int argc, char** argv) {
  SetProgramName("drive-admin");
  CLI::App app{
      "drive-admin: operate a Drive cluster.\n"
      "Settings come from DRIVE_COORDINATOR and DRIVE_ADMIN_TOKEN;\n"
      "the flags below override them.\n"
      "Exit codes: 0 ok (status: healthy), 1 failed or at risk,\n"
      "2 usage, configuration or connection error."};
  app.require_subcommand(1);
  app.fallthrough();
  AdminArgs a;
  app.add_option("--coordinator", a.coordinator,
                 "Coordinator HOST:PORT ($DRIVE_COORDINATOR)");
  app.add_option("--token", a.token, "Admin token ($DRIVE_ADMIN_TOKEN)");
  Commands commands;
  AddInspectCommands(app, a, commands);
  AddRepairCommands(app, a, commands);
  AddMetadataCommands(app, a, commands);
  AddAccountAndDriveCommands(app, a, commands);

  if (int rc = ParseArgs(app, argc, argv); rc >= 0) return rc;
  for (const Command& c : commands) {
    if (!c.cli->parsed()) continue;
    if (c.needs_coordinator) {
      if (int rc = ResolveCoordinatorSettings(a); rc != kExitOk) return rc;
    }
    return c.run(a);
  }
  return kExitUsage;  // unreachable: CLI11 requires one subcommand
}

}  // namespace
}  // namespace drive::cli

int main(int argc, char** argv) {
  drive::TuneAllocatorForLargeBuffers();
  return drive::cli::Main(argc, argv);
}
