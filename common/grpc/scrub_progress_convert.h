#pragma once

#include "common/scrub_progress.h"
#include "drive/v1/node.pb.h"

namespace drive {

void ToProto(const ScrubProgress& p, v1::ScrubProgress* out);
// The result is `reported`.
ScrubProgress ScrubProgressFromProto(const v1::ScrubProgress& p);

}  // namespace drive
