#include "daemon/coordinator/leader_gate.h"

namespace drive::coordinator {

bool LeaderGate::Run(const std::function<bool()>& fn) const {
  if (!leadership_->is_leader()) return false;
  FencedMetaStore::LeaderScope scope(fenced_);
  return fn();
}

}  // namespace drive::coordinator
