#include "daemon/main/process_util.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_util.h"
#include "spdlog/spdlog.h"

namespace drive::daemon {

namespace {
sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}
}  // namespace

void BlockTerminationSignals() {
  sigset_t set = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForTerminationSignal() {
  sigset_t set = TerminationSignals();
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

absl::Status WriteFileAtomically(const std::string& path,
                                 const std::string& contents) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoToStatus(errno, "creating " + tmp);
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return ErrnoToStatus(err, "writing " + tmp);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoToStatus(err, "fsync " + tmp);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return ErrnoToStatus(errno, "renaming " + tmp);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

absl::StatusOr<std::string> ReadSecret(const std::string& file, const char* env,
                                       const char* what) {
  std::string secret;
  if (!file.empty()) {
    auto read = ReadSmallFile(file);
    if (!read.ok()) return read.status();
    secret = *read;
  } else if (const char* v = std::getenv(env); v) {
    secret = v;
  }
  if (secret.size() < 16) {
    return absl::InvalidArgumentError(absl::StrCat(
        what,
        " missing or shorter than 16 characters: pass its --...-file "
        "flag or set ",
        env));
  }
  return secret;
}

absl::Status WriteReadyFile(const std::string& path, int grpc_port,
                            int metrics_port) {
  if (path.empty()) return absl::OkStatus();
  return WriteFileAtomically(
      path, absl::StrCat("{\"grpc_port\": ", grpc_port, ", \"metrics_port\": ",
                         metrics_port, ", \"pid\": ", getpid(), "}\n"));
}

int FailStartup(const absl::Status& s) {
  spdlog::error("event=startup_failed error=\"{}\"", s.ToString());
  return 1;
}

absl::StatusOr<std::pair<std::string, uint16_t>> SplitHostPort(
    const std::string& host_port) {
  size_t colon = host_port.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(host_port.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError("address must be HOST:PORT, got " +
                                      host_port);
  }
  return std::make_pair(host_port.substr(0, colon),
                        static_cast<uint16_t>(port));
}

}  // namespace drive::daemon
