#pragma once

// Carries a PUT body from the connection's strand (which reads the socket
// asynchronously) to the upload thread (which runs the blocking
// DriveClient::UploadStream and pulls bytes through a read callback).
// Bounded: the producer pauses when the pipe is full and is resumed by the
// consumer, so a fast client cannot make the gateway buffer a whole body
// and a slow one holds only its thread. Thread-safe.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace drive::gateway {

class BodyPipe {
 public:
  explicit BodyPipe(size_t capacity_bytes) : capacity_(capacity_bytes) {}

  // Producer side. Push requires `data.size() <= free space`; Finish(OK)
  // marks the end of the body, Finish(error) an aborted body (the
  // consumer's Read then fails with it).
  void Push(std::string_view data);
  void Finish(absl::Status status);
  // If fewer than `want` bytes are free, remembers `resume` (run once, on
  // the consumer's thread, when they are) and returns true: the producer
  // stops until then.
  bool PauseUnlessFree(size_t want, std::function<void()> resume);
  // True once the consumer cancelled: the producer stops reading.
  bool cancelled() const;

  // Consumer side. Blocks until bytes, the end (0) or an error.
  absl::StatusOr<size_t> Read(char* buf, size_t max);
  // The consumer gives up (the upload failed); a paused producer is not
  // resumed.
  void Cancel();

 private:
  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::string buf_ ABSL_GUARDED_BY(mu_);
  size_t head_ ABSL_GUARDED_BY(mu_) = 0;  // first unread byte of buf_
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  size_t resume_want_ ABSL_GUARDED_BY(mu_) = 0;
  std::function<void()> resume_ ABSL_GUARDED_BY(mu_);
};

}  // namespace drive::gateway
