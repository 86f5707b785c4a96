#pragma once

// Child daemons for integration tests: spawn with a log file, wait for the
// ready file a daemon writes once serving, stop with SIGTERM or SIGKILL.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace drive::testing {

// Starts args[0] with `args`, stdout and stderr appended to `log`.
// Returns the pid (-1 if fork failed).
pid_t SpawnLogged(const std::vector<std::string>& args, const std::string& log);

// Polls `ready_file` until the regex `pattern` matches and returns its
// groups (group 0 first). nullopt when the child exits (then *pid = -1) or
// `timeout` passes.
std::optional<std::vector<std::string>> WaitForReadyFile(
    pid_t* pid, const std::string& ready_file, const std::string& pattern,
    std::chrono::seconds timeout);

// SIGKILL and reap; *pid = -1.
void KillChild(pid_t* pid);

// SIGTERM and wait up to `timeout`: the exit status, or -1 (after a
// SIGKILL) when it did not exit in time.
int TerminateChild(pid_t* pid, std::chrono::seconds timeout);

}  // namespace drive::testing
