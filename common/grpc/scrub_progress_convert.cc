#include "common/grpc/scrub_progress_convert.h"

namespace drive {

void ToProto(const ScrubProgress& p, v1::ScrubProgress* out) {
  out->set_drive(p.drive);
  out->set_pass_fraction(p.pass_fraction);
  out->set_oldest_verified_unix_s(p.oldest_verified_unix_s);
  out->set_passes(p.passes);
  out->set_verified_chunks(p.verified_chunks);
  out->set_verified_bytes(p.verified_bytes);
  out->set_corrupt_found(p.corrupt_found);
  out->set_repaired(p.repaired);
  out->set_repair_failed(p.repair_failed);
  out->set_quarantined(p.quarantined);
  out->set_rate_bytes_per_s(p.rate_bytes_per_s);
  out->set_on_schedule(p.on_schedule);
}

ScrubProgress ScrubProgressFromProto(const v1::ScrubProgress& p) {
  ScrubProgress s;
  s.drive = p.drive();
  s.reported = true;
  s.pass_fraction = p.pass_fraction();
  s.oldest_verified_unix_s = p.oldest_verified_unix_s();
  s.passes = p.passes();
  s.verified_chunks = p.verified_chunks();
  s.verified_bytes = p.verified_bytes();
  s.corrupt_found = p.corrupt_found();
  s.repaired = p.repaired();
  s.repair_failed = p.repair_failed();
  s.quarantined = p.quarantined();
  s.rate_bytes_per_s = p.rate_bytes_per_s();
  s.on_schedule = p.on_schedule();
  return s;
}

}  // namespace drive
