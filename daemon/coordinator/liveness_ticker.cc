#include "daemon/coordinator/liveness_ticker.h"

#include "spdlog/spdlog.h"

namespace drive::coordinator {

LivenessTicker::LivenessTicker(NodeRegistry* registry, const LeaderGate* leader,
                               bool loaded_as_leader, absl::Duration period)
    : registry_(registry),
      leader_(leader),
      loaded_as_leader_(loaded_as_leader),
      period_(period) {}

LivenessTicker::~LivenessTicker() { Stop(); }

void LivenessTicker::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void LivenessTicker::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void LivenessTicker::Loop() {
  bool was_leader = loaded_as_leader_;
  while (!stop_.WaitForNotificationWithTimeout(period_)) {
    bool leader = leader_->Run([&] {
      if (!was_leader) {
        // A new term: take over the registry as stored.
        absl::Status s = registry_->Load();
        if (!s.ok()) {
          spdlog::warn("event=leader_registry_load_failed error=\"{}\"",
                       s.ToString());
          return false;
        }
      }
      registry_->Tick();
      return true;
    });
    was_leader = leader;
  }
}

}  // namespace drive::coordinator
