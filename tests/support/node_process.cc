#include "tests/support/node_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace drive::testing {

std::string BinaryPath(const std::string& relative) {
  return std::string(DRIVE_BINARY_DIR) + "/" + relative;
}

NodeProcess::NodeProcess(std::string dir, std::string cluster_token,
                         std::vector<std::string> extra_args)
    : dir_(std::move(dir)),
      token_(std::move(cluster_token)),
      extra_args_(std::move(extra_args)) {
  std::filesystem::create_directories(dir_);
}

NodeProcess::~NodeProcess() {
  if (pid_ > 0) Kill();
}

std::string NodeProcess::drive_path(const std::string& drive) const {
  return dir_ + "/" + drive;
}

std::string NodeProcess::address() const {
  return "127.0.0.1:" + std::to_string(grpc_port_);
}

bool NodeProcess::Start() {
  std::string token_file = dir_ + "/token";
  if (FILE* f = std::fopen(token_file.c_str(), "w")) {
    std::fputs(token_.c_str(), f);
    std::fclose(f);
  }
  std::string ready = dir_ + "/ready.json";
  std::filesystem::remove(ready);
  std::vector<std::string> args = {BinaryPath("daemon/drived"),
                                   "node",
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--metrics-listen",
                                   "127.0.0.1:0",
                                   "--cluster-token-file",
                                   token_file,
                                   "--ready-file",
                                   ready,
                                   "--reserve",
                                   "16MiB"};
  bool has_drive = false, has_name = false;
  for (const auto& a : extra_args_) {
    has_drive |= (a == "--drive");
    has_name |= (a == "--name");
  }
  if (!has_drive) {
    args.push_back("--drive");
    args.push_back("d0=" + drive_path("d0"));
  }
  if (!has_name) {
    args.push_back("--name");
    args.push_back("test-node");
  }
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());

  pid_ = SpawnLogged(args, log_path());
  auto groups = WaitForReadyFile(
      &pid_, ready, R"re("grpc_port": (\d+), "metrics_port": (\d+))re",
      std::chrono::seconds(30));
  if (groups) {
    grpc_port_ = std::stoi(groups->at(1));
    metrics_port_ = std::stoi(groups->at(2));
    return true;
  }
  std::fprintf(stderr, "node did not start; log:\n%s\n",
               ReadFileOrEmpty(log_path()).c_str());
  return false;
}

void NodeProcess::Kill() { KillChild(&pid_); }

int NodeProcess::Terminate() {
  return TerminateChild(&pid_, std::chrono::seconds(30));
}

std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  std::string req = "GET " + path +
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (write(fd, req.data(), req.size()) < 0) {
    close(fd);
    return "";
  }
  std::string resp;
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) resp.append(buf, n);
  close(fd);
  size_t body = resp.find("\r\n\r\n");
  return body == std::string::npos ? "" : resp.substr(body + 4);
}

}  // namespace drive::testing
