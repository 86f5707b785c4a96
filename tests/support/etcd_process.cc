#include "tests/support/etcd_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/http_client.h"

namespace drive::testing {
namespace {

// Like SpawnLogged, but the child dies with the test binary (a binary
// killed by a ctest timeout must not leave etcd running).
pid_t SpawnTied(std::vector<std::string> args, const std::string& log) {
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the parent died before prctl
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

EtcdProcess::~EtcdProcess() { Kill(); }

void EtcdProcess::Kill() { KillChild(&pid_); }

std::string EtcdProcess::endpoint() const {
  return "127.0.0.1:" + std::to_string(client_port_);
}

bool EtcdProcess::Start(std::chrono::seconds timeout) {
  const char* env = std::getenv("DRIVE_ETCD_BINARY");
  std::string binary = env != nullptr ? env : "/usr/bin/etcd";
  log_ = dir_.Sub("etcd.log");
  for (int attempt = 0; attempt < 3; ++attempt) {
    client_port_ = FreeLoopbackPort();
    int peer_port = FreeLoopbackPort();
    std::string client = "http://127.0.0.1:" + std::to_string(client_port_);
    std::string peer = "http://127.0.0.1:" + std::to_string(peer_port);
    std::string data = dir_.Sub("data" + std::to_string(attempt));
    pid_ = SpawnTied({binary,
                      "--name",
                      "test",
                      "--data-dir",
                      data,
                      "--listen-client-urls",
                      client,
                      "--advertise-client-urls",
                      client,
                      "--listen-peer-urls",
                      peer,
                      "--initial-advertise-peer-urls",
                      peer,
                      "--initial-cluster",
                      "test=" + peer,
                      "--initial-cluster-state",
                      "new",
                      "--max-txn-ops",
                      std::to_string(max_txn_ops),
                      "--max-request-bytes",
                      std::to_string(max_request_bytes)},
                     log_);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
      HttpReply r = Http(client_port_, "GET", "/health");
      if (r.status == 200 && r.body.find("\"true\"") != std::string::npos) {
        return true;
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) pid_ = -1;  // died
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    KillChild(&pid_);
  }
  return false;
}

}  // namespace drive::testing
