#include "common/placement_map.h"

#include <xxh_x86dispatch.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/bytes.h"
#include "common/placement_group.h"
#include "common/status_macros.h"

namespace drive {

const char* DriveStateName(DriveState s) {
  switch (s) {
    case DriveState::kUp:
      return "up";
    case DriveState::kDown:
      return "down";
    case DriveState::kOut:
      return "out";
    case DriveState::kDraining:
      return "draining";
    case DriveState::kFailed:
      return "failed";
  }
  return "unknown";
}

std::optional<DriveState> DriveStateFromName(std::string_view name) {
  for (DriveState s : {DriveState::kUp, DriveState::kDown, DriveState::kOut,
                       DriveState::kDraining, DriveState::kFailed}) {
    if (name == DriveStateName(s)) return s;
  }
  return std::nullopt;
}

std::vector<const DriveInfo*> RankSources(std::vector<const DriveInfo*> drives,
                                          std::string_view region) {
  auto rank = [region](const DriveInfo* d) {
    int group = d->state == DriveState::kUp         ? 0
                : d->state == DriveState::kDraining ? 1
                                                    : 2;
    return 2 * group + (d->region == region ? 0 : 1);
  };
  std::stable_sort(drives.begin(), drives.end(),
                   [&rank](const DriveInfo* a, const DriveInfo* b) {
                     return rank(a) < rank(b);
                   });
  return drives;
}

namespace {

// An eligible drive as the selection loop sees it: hosts and zones interned
// to integers so the per-PG loop does no string compares, and a hash key
// buffer that is rewritten in place for every PG so it allocates nothing.
struct Candidate {
  uint32_t drive = 0;  // index into the id-sorted drives
  uint32_t host = 0;
  uint32_t zone = 0;
  double inv_weight = 0;
  std::string key;  // 4 bytes of PG (little-endian), then the drive id
};

struct Scored {
  double score;
  uint32_t candidate;  // index into the region's candidates
};

// straw2: ln(u) / weight with u uniform in (0, 1]. Taking the maximum of
// these scores picks each drive with probability proportional to its weight
// for the first slot, and each score depends only on (pg, drive), which is
// what keeps movement minimal when the drive set changes.
double Straw2Score(uint32_t pg, Candidate& c) {
  StoreLE32(c.key.data(), pg);
  const uint64_t h = XXH3_64bits(c.key.data(), c.key.size());
  // The top 53 bits plus one, scaled by 2^-53: u is never 0, so ln(u) is
  // finite, and u = 1 gives the best possible score 0.
  const double u = static_cast<double>((h >> 11) + 1) * 0x1.0p-53;
  return std::log(u) * c.inv_weight;
}

uint32_t Intern(std::map<std::string, uint32_t, std::less<>>& names,
                std::string_view name) {
  auto it = names.find(name);
  if (it != names.end()) return it->second;
  const auto next = static_cast<uint32_t>(names.size());
  names.emplace(std::string(name), next);
  return next;
}

absl::Status Validate(const std::vector<DriveInfo>& drives,
                      const std::vector<std::string>& regions,
                      uint32_t pg_count, int replicas_per_region) {
  if (pg_count == 0 || pg_count > kMaxPgCount) {
    return absl::InvalidArgumentError(
        absl::StrCat("pg_count ", pg_count, " is outside 1..", kMaxPgCount));
  }
  if (replicas_per_region < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "replicas_per_region ", replicas_per_region, " is below 1"));
  }
  if (regions.size() != 2 || regions[0] == regions[1]) {
    return absl::InvalidArgumentError(absl::StrCat(
        "placement needs exactly two distinct regions, got ", regions.size()));
  }
  // Drives are sorted by id here, so duplicates are neighbours.
  for (size_t i = 0; i < drives.size(); ++i) {
    const DriveInfo& d = drives[i];
    if (d.id.empty()) {
      return absl::InvalidArgumentError("drive with an empty id");
    }
    if (i > 0 && drives[i - 1].id == d.id) {
      return absl::InvalidArgumentError(
          absl::StrCat("drive ", d.id, " is listed twice"));
    }
    if (d.region != regions[0] && d.region != regions[1]) {
      return absl::InvalidArgumentError(absl::StrCat(
          "drive ", d.id, " is in unknown region \"", d.region, "\""));
    }
    if (!IsPlaced(d.state)) continue;
    if (d.capacity_bytes == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("drive ", d.id, " has capacity 0 but is not out"));
    }
    if (d.host.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("drive ", d.id, " has no host"));
    }
  }
  // A host in two zones would make the zone and host rules disagree about
  // which copies share a failure domain; that is a registry bug.
  std::map<std::string_view, const DriveInfo*> host_first;
  for (const DriveInfo& d : drives) {
    if (!IsPlaced(d.state)) continue;
    auto [it, inserted] = host_first.emplace(d.host, &d);
    if (!inserted &&
        (it->second->region != d.region || it->second->zone != d.zone)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "host ", d.host, " has drive ", it->second->id, " in zone ",
          it->second->zone, " and drive ", d.id, " in zone ", d.zone));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PlacementMap> PlacementMap::Compute(
    std::vector<DriveInfo> drives, std::vector<std::string> regions,
    uint32_t pg_count, uint64_t epoch, int replicas_per_region) {
  // Sorting by id makes the map independent of input order: the only other
  // order-dependent step is breaking score ties, which uses this index.
  std::sort(drives.begin(), drives.end(),
            [](const DriveInfo& a, const DriveInfo& b) { return a.id < b.id; });
  DRIVE_RETURN_IF_ERROR(
      Validate(drives, regions, pg_count, replicas_per_region));

  std::map<std::string, uint32_t, std::less<>> hosts;
  std::map<std::string, uint32_t, std::less<>> zones;
  std::vector<Candidate> candidates[2];
  for (uint32_t i = 0; i < drives.size(); ++i) {
    const DriveInfo& d = drives[i];
    if (!IsPlaced(d.state)) continue;
    Candidate c;
    c.drive = i;
    c.host = Intern(hosts, d.host);
    // Zones are keyed by region too, so equal zone names in the two regions
    // stay distinct zones.
    c.zone = Intern(zones, absl::StrCat(d.region, "\n", d.zone));
    c.inv_weight = 1.0 / static_cast<double>(d.capacity_bytes);
    c.key.assign(4, '\0');
    c.key.append(d.id);
    candidates[d.region == regions[0] ? 0 : 1].push_back(std::move(c));
  }
  for (int r = 0; r < 2; ++r) {
    if (candidates[r].empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("region ", regions[r], " has no drive that is not out"));
    }
  }

  PlacementMap map;
  map.epoch_ = epoch;
  map.pg_count_ = pg_count;
  map.replicas_per_region_ = replicas_per_region;
  map.pgs_.resize(pg_count);

  const auto per_region = static_cast<size_t>(replicas_per_region);
  // Scratch reused across PGs; only the result vectors are allocated per PG.
  std::vector<Scored> scored;
  scored.reserve(std::max(candidates[0].size(), candidates[1].size()));
  std::vector<const Candidate*> picked;
  picked.reserve(2 * per_region);
  auto host_used = [&picked](const Candidate& c) {
    return std::any_of(picked.begin(), picked.end(),
                       [&c](const Candidate* p) { return p->host == c.host; });
  };
  auto zone_used = [&picked](const Candidate& c) {
    return std::any_of(picked.begin(), picked.end(),
                       [&c](const Candidate* p) { return p->zone == c.zone; });
  };

  for (uint32_t pg = 0; pg < pg_count; ++pg) {
    picked.clear();
    for (std::vector<Candidate>& region : candidates) {
      scored.clear();
      for (uint32_t i = 0; i < region.size(); ++i) {
        scored.push_back({Straw2Score(pg, region[i]), i});
      }
      // Ties (practically never) go to the smaller drive id, which is stable
      // when other drives come and go.
      std::sort(scored.begin(), scored.end(),
                [&region](const Scored& a, const Scored& b) {
                  if (a.score != b.score) return a.score > b.score;
                  return region[a.candidate].drive < region[b.candidate].drive;
                });
      // Two passes over one ranking: a drive that is skipped leaves the state
      // unchanged, so adding or removing a drive that is not picked cannot
      // change what is picked. The first pass spreads over zones, the second
      // fills up on unused hosts.
      const size_t goal = picked.size() + per_region;
      for (const Scored& s : scored) {
        if (picked.size() == goal) break;
        const Candidate& c = region[s.candidate];
        if (!host_used(c) && !zone_used(c)) picked.push_back(&c);
      }
      for (const Scored& s : scored) {
        if (picked.size() == goal) break;
        const Candidate& c = region[s.candidate];
        if (!host_used(c)) picked.push_back(&c);
      }
    }
    std::vector<std::string>& ids = map.pgs_[pg];
    ids.reserve(picked.size());
    for (const Candidate* c : picked) ids.push_back(drives[c->drive].id);
  }

  map.regions_ = std::move(regions);
  map.drives_ = std::move(drives);
  return map;
}

const std::vector<std::string>& PlacementMap::DrivesOf(uint32_t pg) const {
  DRIVE_CHECK(pg < pg_count_);
  return pgs_[pg];
}

PlacementMap PlacementMap::FromParts(
    uint64_t epoch, int replicas_per_region, std::vector<std::string> regions,
    std::vector<DriveInfo> drives, std::vector<std::vector<std::string>> pgs) {
  std::stable_sort(
      drives.begin(), drives.end(),
      [](const DriveInfo& a, const DriveInfo& b) { return a.id < b.id; });
  drives.erase(std::unique(drives.begin(), drives.end(),
                           [](const DriveInfo& a, const DriveInfo& b) {
                             return a.id == b.id;
                           }),
               drives.end());
  PlacementMap map;
  map.epoch_ = epoch;
  map.pg_count_ = static_cast<uint32_t>(pgs.size());
  map.replicas_per_region_ = replicas_per_region;
  map.regions_ = std::move(regions);
  map.drives_ = std::move(drives);
  map.pgs_ = std::move(pgs);
  return map;
}

std::vector<const DriveInfo*> PlacementMap::PgDrives(uint32_t pg) const {
  std::vector<const DriveInfo*> out;
  if (pg >= pg_count_) return out;
  for (const std::string& id : pgs_[pg]) {
    if (const DriveInfo* d = FindDrive(id)) out.push_back(d);
  }
  return out;
}

const DriveInfo* PlacementMap::FindDrive(std::string_view id) const {
  auto it = std::lower_bound(
      drives_.begin(), drives_.end(), id,
      [](const DriveInfo& d, std::string_view key) { return d.id < key; });
  if (it == drives_.end() || it->id != id) return nullptr;
  return &*it;
}

std::vector<uint32_t> PlacementMap::UnderReplicatedPgs() const {
  const size_t full = 2 * static_cast<size_t>(replicas_per_region_);
  std::vector<uint32_t> out;
  for (uint32_t pg = 0; pg < pg_count_; ++pg) {
    if (pgs_[pg].size() < full) out.push_back(pg);
  }
  return out;
}

std::vector<uint32_t> PlacementMap::MovedPgs(const PlacementMap& a,
                                             const PlacementMap& b) {
  std::vector<uint32_t> out;
  const uint32_t n = std::max(a.pg_count_, b.pg_count_);
  for (uint32_t pg = 0; pg < n; ++pg) {
    if (pg >= a.pg_count_ || pg >= b.pg_count_) {
      out.push_back(pg);
      continue;
    }
    const std::vector<std::string>& x = a.pgs_[pg];
    const std::vector<std::string>& y = b.pgs_[pg];
    if (!std::is_permutation(x.begin(), x.end(), y.begin(), y.end())) {
      out.push_back(pg);
    }
  }
  return out;
}

}  // namespace drive
