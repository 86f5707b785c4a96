#pragma once

// Admission of new HTTP connections: a cap on all open connections and a
// smaller one per client address, so that one client holding sockets open
// (slowloris: heads trickled a byte at a time) fills only its own share
// and everyone else is still served. Thread-safe.

#include <cstddef>
#include <string>
#include <unordered_map>

#include "absl/synchronization/mutex.h"

namespace drive::gateway {

class ConnectionLimiter {
 public:
  enum class Verdict { kAdmitted, kServerFull, kClientFull };

  // Caps: connections in all, and from one client address. Both >= 1.
  ConnectionLimiter(size_t max_total, size_t max_per_client);

  // Counts a new connection from `client` (an IP address as text) unless
  // that would pass a cap. Every kAdmitted needs one Release(client).
  Verdict TryAdmit(const std::string& client);
  // A connection admitted for `client` closed.
  void Release(const std::string& client);

  size_t total() const;
  size_t from(const std::string& client) const;
  size_t max_total() const { return max_total_; }
  size_t max_per_client() const { return max_per_client_; }

 private:
  const size_t max_total_;
  const size_t max_per_client_;
  mutable absl::Mutex mu_;
  size_t total_ ABSL_GUARDED_BY(mu_) = 0;
  // Only clients with open connections have an entry.
  std::unordered_map<std::string, size_t> per_client_ ABSL_GUARDED_BY(mu_);
};

}  // namespace drive::gateway
