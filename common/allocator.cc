#include "common/allocator.h"

#include <malloc.h>

namespace drive {

void TuneAllocatorForLargeBuffers() {
  // 32 MiB is glibc's maximum mmap threshold on 64-bit; fixing it also
  // stops glibc from adjusting it dynamically.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

}  // namespace drive
