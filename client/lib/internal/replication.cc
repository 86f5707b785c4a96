#include "client/lib/internal/replication.h"

#include <algorithm>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"

namespace drive::client::internal {
namespace {

constexpr int kWritePasses = 3;

// One chunk: write to the up drives that lack it, then again without the
// ones that failed, until every drive holds it, failed, or passes run out.
void WriteMissing(PendingChunk& c, ChunkTransport& transport,
                  const std::string& region) {
  for (int pass = 0; pass < kWritePasses; ++pass) {
    std::vector<const DriveInfo*> targets;
    for (const DriveInfo* d : c.placed) {
      if (d->state == DriveState::kUp && !c.holders.count(d->id) &&
          !c.failed.count(d->id)) {
        targets.push_back(d);
      }
    }
    if (targets.empty()) return;
    ++c.writes;
    for (const auto& [drive, st] :
         transport.Write(c.id, c.data, targets, region)) {
      if (st.ok()) {
        c.holders.insert(drive);
        continue;
      }
      c.last_error = absl::StrCat(drive, ": ", st.ToString());
      // kAborted: not attempted (the head failed); the next pass retries it.
      if (!absl::IsAborted(st)) c.failed.insert(drive);
    }
  }
}

}  // namespace

absl::Status ReplicateBatch(std::vector<PendingChunk>& batch,
                            ChunkTransport& transport,
                            const QuorumPolicy& quorum,
                            const PlacementMap& map) {
  // Which copies exist already: one Has call per involved up drive.
  std::map<std::string, std::pair<const DriveInfo*, std::vector<size_t>>> asks;
  for (size_t i = 0; i < batch.size(); ++i) {
    for (const DriveInfo* d : batch[i].placed) {
      if (d->state != DriveState::kUp) continue;
      auto& entry = asks[d->id];
      entry.first = d;
      entry.second.push_back(i);
    }
  }
  // Ask all drives at once: for small files these round trips, one after
  // another, were a large part of each file's latency.
  std::vector<absl::StatusOr<std::vector<bool>>> answers(
      asks.size(), absl::UnknownError("not asked"));
  {
    std::vector<std::thread> askers;
    size_t n = 0;
    for (auto& [drive_id, entry] : asks) {
      askers.emplace_back([&, e = &entry, slot = n++] {
        std::vector<ChunkId> ids;
        for (size_t i : e->second) ids.push_back(batch[i].id);
        answers[slot] = transport.Has(*e->first, ids);
      });
    }
    for (auto& t : askers) t.join();
  }
  size_t slot = 0;
  for (auto& [drive_id, entry] : asks) {
    const auto& present = answers[slot++];
    for (size_t k = 0; k < entry.second.size(); ++k) {
      PendingChunk& c = batch[entry.second[k]];
      if (!present.ok()) {
        c.failed.insert(drive_id);
        c.last_error =
            absl::StrCat(drive_id, ": ", present.status().ToString());
      } else if ((*present)[k]) {
        c.holders.insert(drive_id);
      }
    }
  }
  // Write what is missing, the chunks of the batch in parallel.
  std::vector<std::thread> workers;
  for (size_t i = 1; i < batch.size(); ++i) {
    workers.emplace_back(
        [&, i] { WriteMissing(batch[i], transport, quorum.writer_region); });
  }
  if (!batch.empty()) WriteMissing(batch[0], transport, quorum.writer_region);
  for (auto& w : workers) w.join();

  for (const PendingChunk& c : batch) {
    int local = 0, remote = 0;
    for (const auto& id : c.holders) {
      const DriveInfo* d = map.FindDrive(id);
      if (d == nullptr) continue;
      (d->region == quorum.writer_region ? local : remote)++;
    }
    if (local < quorum.local || remote < quorum.remote) {
      return absl::UnavailableError(absl::StrCat(
          "write quorum not met for chunk ", c.id.ToHex(), ": ", local,
          " copies in ", quorum.writer_region, " (need ", quorum.local, "), ",
          remote, " in the other region (need ", quorum.remote, ")",
          c.last_error.empty() ? "" : "; last error: " + c.last_error));
    }
  }
  return absl::OkStatus();
}

std::vector<const DriveInfo*> ReadCandidates(
    const std::vector<std::string>& recorded,
    const std::vector<const DriveInfo*>& placed, const PlacementMap& map,
    const std::string& region) {
  std::vector<const DriveInfo*> out;
  auto add = [&](const DriveInfo* d) {
    if (d != nullptr && std::find(out.begin(), out.end(), d) == out.end()) {
      out.push_back(d);
    }
  };
  // After a remap the data moves to the PG's new drives, so both count.
  for (const auto& id : recorded) add(map.FindDrive(id));
  for (const DriveInfo* d : placed) add(d);
  return RankSources(std::move(out), region);
}

absl::StatusOr<std::string> FetchVerified(
    const ChunkId& id, const std::vector<const DriveInfo*>& candidates,
    const std::set<std::string>& recorded, ChunkTransport& transport,
    const std::function<void(const std::string&, const absl::Status&)>&
        report_bad) {
  absl::Status last =
      absl::UnavailableError("no drive holds chunk " + id.ToHex());
  for (const DriveInfo* d : candidates) {
    auto data = transport.Read(*d, id);
    if (data.ok()) {
      // End to end: the node verified too, but the bytes crossed a network
      // and its memory since.
      ChunkId actual = ChunkId::Of(*data);
      if (actual == id) return data;
      data = absl::DataLossError(
          absl::StrCat("copy on ", d->id, " hashes to ", actual.ToHex()));
    }
    last = data.status();
    if (absl::IsDataLoss(last) ||
        (absl::IsNotFound(last) && recorded.count(d->id))) {
      report_bad(d->id, last);
    }
  }
  return absl::Status(last.code(), absl::StrCat("reading chunk ", id.ToHex(),
                                                ": ", last.message()));
}

}  // namespace drive::client::internal
