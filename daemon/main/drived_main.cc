// drived: every Drive daemon in one binary, one subcommand per role.

#include "CLI/CLI.hpp"
#include "common/allocator.h"
#include "daemon/main/coordinator_main.h"
#include "daemon/main/gateway_main.h"
#include "daemon/main/node_main.h"
#include "daemon/main/process_util.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  // Before any thread exists, so all threads inherit the blocked mask and
  // the main thread alone receives SIGTERM via sigwait.
  drive::TuneAllocatorForLargeBuffers();
  drive::daemon::BlockTerminationSignals();

  CLI::App app{
      "drived: Drive daemons (storage node, coordinator, HTTP gateway)"};
  app.set_config("--config", "", "Read options from this TOML file");
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error")
      ->capture_default_str();

  drive::daemon::NodeFlags node_flags;
  CLI::App* node = drive::daemon::AddNodeCommand(app, node_flags);

  drive::daemon::CoordinatorFlags coordinator_flags;
  CLI::App* coordinator =
      drive::daemon::AddCoordinatorCommand(app, coordinator_flags);

  drive::daemon::GatewayFlags gateway_flags;
  CLI::App* gateway = drive::daemon::AddGatewayCommand(app, gateway_flags);

  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::from_str(log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");

  if (node->parsed()) {
    return drive::daemon::RunNode(node_flags, app.config_to_str(true, false));
  }
  if (coordinator->parsed()) {
    return drive::daemon::RunCoordinator(coordinator_flags,
                                         app.config_to_str(true, false));
  }
  if (gateway->parsed()) {
    return drive::daemon::RunGateway(gateway_flags,
                                     app.config_to_str(true, false));
  }
  return 2;
}
