#include "tests/support/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>
#include <thread>

#include "tests/support/temp_dir.h"

namespace drive::testing {

pid_t SpawnLogged(const std::vector<std::string>& args,
                  const std::string& log) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

std::optional<std::vector<std::string>> WaitForReadyFile(
    pid_t* pid, const std::string& ready_file, const std::string& pattern,
    std::chrono::seconds timeout) {
  const std::regex re(pattern);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::string text = ReadFileOrEmpty(ready_file);
    std::smatch m;
    if (std::regex_search(text, m, re)) {
      std::vector<std::string> groups;
      for (const auto& g : m) groups.push_back(g.str());
      return groups;
    }
    int status = 0;
    if (*pid > 0 && waitpid(*pid, &status, WNOHANG) == *pid) {
      *pid = -1;
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

void KillChild(pid_t* pid) {
  if (*pid <= 0) return;
  ::kill(*pid, SIGKILL);
  int status = 0;
  waitpid(*pid, &status, 0);
  *pid = -1;
}

int TerminateChild(pid_t* pid, std::chrono::seconds timeout) {
  if (*pid <= 0) return -1;
  ::kill(*pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(*pid, &status, WNOHANG) == *pid) {
      *pid = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  KillChild(pid);
  return -1;
}

}  // namespace drive::testing
