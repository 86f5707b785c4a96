#pragma once

// One drive's scrub state. The scrubber computes it (daemon/scrubber), a
// node reports it with each heartbeat and in Scrub replies, the coordinator
// keeps the latest per drive, and drive-admin shows it: one struct for all
// of them, converted to and from v1::ScrubProgress in one place
// (common/grpc/scrub_progress_convert.h).

#include <cstdint>
#include <string>

namespace drive {

struct ScrubProgress {
  std::string drive;
  // Whether this holds a report: false in the coordinator until the drive's
  // node sent one; true in what a scrubber or a conversion returns.
  bool reported = false;
  double pass_fraction = 0;            // 0..1 by bytes, current pass
  int64_t oldest_verified_unix_s = 0;  // every copy verified at or after
  uint64_t passes = 0;                 // completed since the drive was created
  // What the scrubber did since its process started:
  uint64_t verified_chunks = 0;
  uint64_t verified_bytes = 0;
  uint64_t corrupt_found = 0;
  uint64_t repaired = 0;
  uint64_t repair_failed = 0;
  uint64_t quarantined = 0;     // records on the drive
  double rate_bytes_per_s = 0;  // planned background pace
  bool on_schedule = true;  // oldest verification within the deadline, and a
                            // pass at the maximum rate fits in it
};

}  // namespace drive
