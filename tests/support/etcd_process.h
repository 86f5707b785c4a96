#pragma once

// A real single-member etcd for tests: loopback ports picked free, data in
// a temp dir, killed on destruction.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "tests/support/temp_dir.h"

namespace drive::testing {

// A free TCP port on 127.0.0.1 (bound to port 0, then released). Another
// process may take it before the caller binds it; callers retry.
int FreeLoopbackPort();

class EtcdProcess {
 public:
  // Does not start anything yet.
  EtcdProcess() = default;
  // SIGKILL and reap.
  ~EtcdProcess();
  EtcdProcess(const EtcdProcess&) = delete;
  EtcdProcess& operator=(const EtcdProcess&) = delete;

  // etcd's per-request limits, passed explicitly as --max-txn-ops and
  // --max-request-bytes. Defaults: etcd 3.4's own (128, 1.5 MiB), which
  // are also EtcdMetaOptions' defaults, so tests see what an etcd started
  // without these flags does. Set before Start.
  int max_txn_ops = 128;
  int64_t max_request_bytes = 1536 * 1024;

  // Starts etcd (/usr/bin/etcd, or $DRIVE_ETCD_BINARY) and waits until its
  // /health answers, at most `timeout` per attempt; retries with new ports
  // when the child dies (a port taken in between). The log is
  // <dir>/etcd.log. false when it never became healthy.
  bool Start(std::chrono::seconds timeout = std::chrono::seconds(20));
  // SIGKILL, like a crash; calls then fail with kUnavailable.
  void Kill();

  // "127.0.0.1:PORT" of the client API (gRPC and HTTP).
  std::string endpoint() const;
  int client_port() const { return client_port_; }
  const std::string& log_path() const { return log_; }

 private:
  TempDir dir_;
  std::string log_;
  pid_t pid_ = -1;
  int client_port_ = 0;
};

}  // namespace drive::testing
