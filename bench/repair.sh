#!/usr/bin/env bash
# Repair benchmark: a single-machine cluster (3 nodes per region, release
# build, so every drive holds every chunk) with a base of 2 GiB of 4 MiB
# chunks; measures, each figure next to the raw disk measured with fio in
# the same run (interleaved with it, medians of the runs):
#   1. scrub: one unthrottled `drive-admin scrub --now` pass of one drive,
#      cold (page cache dropped) and warm, vs raw sequential read;
#   2. repair: one drive wiped while its node is down, then the time until
#      `drive-admin repair --wait` has nothing missing and fsck is clean,
#      and bytes copied / second vs raw write;
#   3. uploads of 4-8 MiB files with background scrub off, at the default
#      settings, at the default maximum rate (64 MiB/s per drive) and at a
#      sixth of it: p50/p99 and throughput.
#
#   bench/repair.sh [--quick] [--runs N] [--dir DIR] [--only scrub|repair|upload]
#
# --only runs one phase (repeat it for several), e.g. to A/B a change to
# the repair path with `--only repair --runs 5` at two commits.
#
# Writes bench/results/repair-<date>[-quick][-PHASE...].{json,md} and prints the
# Markdown. Needs fio, python3 and the release build; root for dropping
# the page cache (else cold figures are O_DIRECT/absent, as the report
# says); no network. Removes its cluster and files on exit.
set -euo pipefail
if [[ -z ${DRIVE_BENCH_LOCKED:-} ]]; then
  # -o: the daemons it starts must not hold the lock.
  exec env DRIVE_BENCH_LOCKED=1 flock -o /tmp/drive-bench.lock "$0" "$@"
fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
BUILD=${BUILD_DIR:-$ROOT/build/release}
BASE=${BENCH_DIR:-/var/tmp}
QUICK=0
RUNS=""
PHASES=()
usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; }
while (($#)); do
  case $1 in
    --quick) QUICK=1 ;;
    --runs) RUNS=$2; shift ;;
    --dir) BASE=$2; shift ;;
    --only)
      [[ $2 =~ ^(scrub|repair|upload)$ ]] || { echo "repair.sh: --only takes scrub, repair or upload" >&2; exit 2; }
      PHASES+=("$2"); shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "repair.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

# Whether phase $1 runs (all of them without --only).
want() { ((${#PHASES[@]} == 0)) || [[ " ${PHASES[*]} " == *" $1 "* ]]; }

# Sizes. Base files are 32 MiB, i.e. whole 4 MiB chunks. Upload runs for
# the p99 comparison add data (six copies each on one disk), so they are
# kept small; their latencies are pooled over the runs of a setting.
if ((QUICK)); then
  RUNS=${RUNS:-1}
  BASE_FILES=16 FIO_SIZE=512M UPLOAD_FILES=30 UPLOAD_WARMUP=1G MIN_FREE_GIB=12
  SCRUB_SETTINGS=(off cap)
else
  RUNS=${RUNS:-3}
  BASE_FILES=64 FIO_SIZE=2G UPLOAD_FILES=80 UPLOAD_WARMUP=3G MIN_FREE_GIB=50
  SCRUB_SETTINGS=(off default cap cap6)
fi
# Background scrub settings of phase 3 (node flags). "default" has no
# flags: 64 MiB/s at most, paced to finish a pass in half of the 14-day
# deadline, i.e. the 4 MiB/s floor on drives this small. "cap" shortens the
# deadline so the pace reaches the default maximum rate: six drives at
# 64 MiB/s on this one disk. "cap6" is a sixth of that per drive, so the
# one disk and its cores see the scrub load one real drive would.
declare -A SCRUB_FLAGS=(
  [off]="--scrub-max-rate 0"
  [default]=""
  [cap]="--scrub-max-rate 64MiB --scrub-deadline 10s"
  [cap6]="--scrub-max-rate 11MiB --scrub-deadline 10s"
)
REPAIR_NODES=(e2 w3 e1 w2 e3)  # wiped in turn; w1 is the scrubbed drive

die() { echo "repair.sh: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
for tool in fio python3 flock; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done
for b in daemon/drived client/drive-admin bench/drive-cluster-bench; do
  [[ -x $BUILD/$b ]] || die "build $BUILD/$b first:
  cmake --preset release && cmake --build build/release -j2"
done
bench_check_dir repair.sh "$BASE" "$MIN_FREE_GIB"

WORK=$(mktemp -d "$BASE/drive-repair-bench.XXXXXX")
CLUSTER=$WORK/cluster
LC=$ROOT/deploy/local-cluster.sh
cleanup() {
  "$LC" down --dir "$CLUSTER" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export DRIVE_BIN_DIR=$BUILD
ADMIN=$BUILD/client/drive-admin
CBENCH=$BUILD/bench/drive-cluster-bench
CLK_TCK=$(getconf CLK_TCK)
RAW=$WORK/raw.jsonl  # one JSON object per measurement
: >"$RAW"
DROP_CACHES=0
if bench_can_drop_caches; then DROP_CACHES=1; fi
START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
FIO=$WORK/fio.dat
log "work dir $WORK, load $START_LOAD, drop_caches $( ((DROP_CACHES)) && echo yes || echo no)"

# Appends one measurement (a JSON object, compacted to one line).
record() {
  python3 -c 'import json, sys; print(json.dumps(json.loads(sys.argv[1])))' "$1" >>"$RAW"
}
disk() {  # name run read|write fio-args...
  local name=$1 run=$2 v
  shift 2
  v=$(bench_fio "$FIO" "$FIO_SIZE" "$@")
  record "{\"kind\": \"disk\", \"what\": \"$name\", \"run\": $run, \"MiB_per_s\": $v}"
  log "disk $name: $v MiB/s"
}
now() { date +%s.%N; }
node_pid() { cat "$CLUSTER/nodes/$1/pid"; }
# CPU seconds (user+system) of a process, as a decimal.
cpu_s() {
  local stat
  read -r -a stat <"/proc/$1/stat"
  python3 -c "print(($((stat[13] + stat[14]))) / $CLK_TCK)"
}
io_bytes() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/io"; }
# Busy and total ticks of the whole machine.
machine_ticks() {
  local _c u n s i w irq sirq st
  read -r _c u n s i w irq sirq st _ </proc/stat
  echo "$((u + n + s + irq + sirq + st)) $((u + n + s + i + w + irq + sirq + st))"
}
status_json() { "$ADMIN" status --json || true; }  # exits 1 when at risk
# A number out of `drive-admin status --json`: python expression on `s`.
status_get() {
  status_json | python3 -c "import json, sys; s = json.load(sys.stdin); print($1)"
}

# ------------------------------------------------------------ cluster, base

log "cluster up"
"$LC" up --dir "$CLUSTER" --coordinator-flags "--gc-interval 0 --backup-interval 0" \
  --node-flags "${SCRUB_FLAGS[off]}" >&2
# shellcheck disable=SC1091
source "$CLUSTER/env"
bench_fio_warmup "$FIO" 1G
log "base upload: $BASE_FILES files of 32 MiB"
out=$("$CBENCH" --op put --files "$BASE_FILES" --min-size $((32 << 20)) \
  --max-size $((32 << 20)) --parallel 8 --prefix base/ --seed 1000)
record "{\"kind\": \"base_upload\", \"bench\": $out}"
log "base upload $out"
"$ADMIN" status --wait-healthy 60 >/dev/null || true
# Drive usage comes with heartbeats; wait until every drive reports the base.
base_bytes=$((BASE_FILES * (32 << 20)))
for _ in $(seq 1 50); do
  done_drives=$(status_get "sum(d['logical_bytes'] >= $base_bytes for d in s['drives'])")
  ((done_drives == 6)) && break
  sleep 0.2
done

# ------------------------------------------------------------------ scrub

# One pass of w1/d0; records wall time, bytes (the drive's logical bytes:
# a pass verifies every chunk) and the node's CPU and disk reads.
scrub_once() {  # state run
  local pid bytes chunks t0 t1 c0 c1 r0 r1 out
  pid=$(node_pid w1)
  bytes=$(status_get "[d for d in s['drives'] if d['id'] == 'w1/d0'][0]['logical_bytes']")
  chunks=$(status_get "[d for d in s['drives'] if d['id'] == 'w1/d0'][0]['chunks']")
  c0=$(cpu_s "$pid") r0=$(io_bytes "$pid" read_bytes) t0=$(now)
  out=$("$ADMIN" scrub --drive w1/d0 --now --json | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)))')
  t1=$(now) c1=$(cpu_s "$pid") r1=$(io_bytes "$pid" read_bytes)
  record "{\"kind\": \"scrub\", \"state\": \"$1\", \"run\": $2, \"seconds\": $(python3 -c "print($t1 - $t0)"),
    \"bytes\": $bytes, \"chunks\": $chunks, \"node_cpu_s\": $(python3 -c "print($c1 - $c0)"),
    \"node_disk_read_bytes\": $((r1 - r0)), \"result\": $out}"
  log "scrub $1: $(python3 -c "print('%.0f MiB/s' % ($bytes / 2**20 / ($t1 - $t0)))")"
}

# The fio file exists and is on disk before any read is measured.
if want scrub; then
  fio --name=mk --filename="$FIO" --bs=4M --size="$FIO_SIZE" --rw=write \
    --end_fsync=1 --output-format=terse >/dev/null
  for ((r = 1; r <= RUNS; r++)); do
    if ((DROP_CACHES)); then
      bench_drop_caches
      disk read_seq_cold "$r" read --rw=read --direct=0
      bench_drop_caches
      disk read_rand_cold "$r" read --rw=randread --direct=0
      bench_drop_caches
      scrub_once cold "$r"
      # Right after the cold pass every chunk is in the page cache.
      scrub_once warm "$r"
      # The sequential read again: back-to-back samples differ by up to 2x
      # when the host still caches the file (the report shows every sample).
      bench_drop_caches
      disk read_seq_cold "$r" read --rw=read --direct=0
    else
      disk read_seq_cold "$r" read --rw=read --direct=1
      disk read_rand_cold "$r" read --rw=randread --direct=1
      scrub_once warm "$r"
    fi
    fio --name=fill --filename="$FIO" --bs=4M --size="$FIO_SIZE" --rw=read \
      --invalidate=0 --output-format=terse >/dev/null
    disk read_page_cache "$r" read --rw=read --direct=0 --invalidate=0
  done
  rm -f "$FIO"
fi

# ----------------------------------------------------------------- repair

# The raw write figures, measured before and after each repair. Buffered
# writes into memory the VM has just taken back run at a fraction of the
# usual speed (PLATFORM.md; here fsync-at-end fell below fdatasync-every-
# 4-MiB without it), so an unmeasured write comes first and the copies run
# right after the measured ones, on the same warm memory.
raw_writes() {  # run
  disk write_end_fsync "$1" write --rw=write --direct=0 --end_fsync=1
  rm -f "$FIO"
  disk write_fdatasync_4MiB "$1" write --rw=write --direct=0 --fdatasync=1
  rm -f "$FIO"
}

# Wipes one drive, restarts its node (with EXTRA node flags), and times
# the way back to six copies.
repair_once() {  # run node variant extra-flags
  local r=$1 node=$2 variant=$3 extra=$4 cmd=$CLUSTER/nodes/$2/cmd
  local copied0 busy0 total0 busy1 total1 t0 t1 t2 t3 pid c0 c1 w0 w1 rep fsck st attempt
  log "repair run $r ($variant): wiping $node"
  "$LC" stop-node "$node" --dir "$CLUSTER" >/dev/null
  rm -rf "$CLUSTER/nodes/$node/d0"
  cp "$cmd" "$cmd.orig"
  [[ -z $extra ]] || sed -i "s/\$/ $extra/" "$cmd"
  bench_fio_warmup "$FIO" "$FIO_SIZE"
  raw_writes "$r"
  copied0=$(status_get "s['repair']['copied_bytes']")
  read -r busy0 total0 <<<"$(machine_ticks)"
  t0=$(now)
  "$LC" start-node "$node" --dir "$CLUSTER" >/dev/null
  t1=$(now)
  pid=$(node_pid "$node")
  c0=$(cpu_s "$pid") w0=$(io_bytes "$pid" write_bytes)
  # A sweep that starts before the node's first heartbeat finds its copies
  # blocked and `repair --wait` gives up at once; ask again.
  for attempt in 1 2 3 4 5; do
    rep=$("$ADMIN" repair --wait --timeout 600 --json) && break
    ((attempt < 5)) || die "repair --wait failed: $rep"
    sleep 0.5
  done
  t2=$(now)
  c1=$(cpu_s "$pid") w1=$(io_bytes "$pid" write_bytes)
  read -r busy1 total1 <<<"$(machine_ticks)"
  fsck=$("$ADMIN" fsck --json) || die "fsck not clean after repair: $fsck"
  t3=$(now)
  st=$(status_json | python3 -c 'import json, sys; print(json.dumps({"repair": json.load(sys.stdin)["repair"]}))')
  record "{\"kind\": \"repair\", \"variant\": \"$variant\", \"run\": $r, \"node\": \"$node\",
    \"start_s\": $(python3 -c "print($t1 - $t0)"), \"repair_s\": $(python3 -c "print($t2 - $t1)"),
    \"fsck_s\": $(python3 -c "print($t3 - $t2)"), \"copied0\": $copied0,
    \"target_cpu_s\": $(python3 -c "print($c1 - $c0)"), \"target_disk_write_bytes\": $((w1 - w0)),
    \"machine_busy\": $(python3 -c "print(($busy1 - $busy0) / ($total1 - $total0))"),
    \"repair\": $rep, \"fsck\": $fsck, \"status\": $st}"
  log "repair $node ($variant): $(python3 -c "print('%.1f s' % ($t3 - $t0))") to six copies"
  raw_writes "$r"
  # Back to the node as shipped (it keeps the copies it just received).
  mv "$cmd.orig" "$cmd"
  if [[ -n $extra ]]; then
    "$LC" stop-node "$node" --dir "$CLUSTER" >/dev/null
    "$LC" start-node "$node" --dir "$CLUSTER" >/dev/null
  fi
}

if want repair; then
  for ((r = 1; r <= RUNS; r++)); do
    node=${REPAIR_NODES[$(((r - 1) % ${#REPAIR_NODES[@]}))]}
    repair_once "$r" "$node" shipped ""
    # The same with O_DIRECT flushes on the receiving drive: no copy of the
    # chunks into the page cache (the receiving node's biggest CPU cost).
    ((QUICK)) || repair_once "$r" "$node" direct "--direct-writes true"
  done
fi

# ------------------------------------------------- upload p99 vs scrubbing

# Restarts every node with the scrub flags of a setting (the flags are the
# end of each node's command line, written by local-cluster.sh up).
set_scrub() {  # setting
  local n
  for n in "$CLUSTER"/nodes/*/; do
    n=$(basename "$n")
    "$LC" stop-node "$n" --dir "$CLUSTER" >/dev/null &
  done
  wait
  for n in "$CLUSTER"/nodes/*/; do
    sed -i -E 's/ --scrub-(max-rate|deadline) [^ ]+//g; s/ +$//' "$n/cmd"
    [[ -z ${SCRUB_FLAGS[$1]} ]] || sed -i "s/\$/ ${SCRUB_FLAGS[$1]}/" "$n/cmd"
  done
  for n in "$CLUSTER"/nodes/*/; do
    n=$(basename "$n")
    "$LC" start-node "$n" --dir "$CLUSTER" >/dev/null &
  done
  wait
  "$ADMIN" status --wait-healthy 60 >/dev/null || die "cluster not healthy after restart"
  sleep 3  # scrubbers start; heartbeats carry their first figures
}

scrubbed_bytes() { status_get "sum(d['scrub']['verified_bytes'] for d in s['drives'])"; }
# Bytes all nodes read from the disk (not the page cache) so far.
nodes_disk_reads() {
  local p sum=0
  for p in "$CLUSTER"/nodes/*/pid; do sum=$((sum + $(io_bytes "$(cat "$p")" read_bytes))); done
  echo "$sum"
}

upload_run() {  # setting run seed
  local lat=$WORK/lat-$1-$2.txt out v0 v1 copied0 copied1 busy0 total0 busy1 total1
  local t0 t1 d0 d1
  # Uploads after a spell without big writes ran ~25% slower (the VM's
  # memory, PLATFORM.md); every setting gets the same warm-up write first.
  bench_fio_warmup "$FIO" "$UPLOAD_WARMUP"
  t0=$(now) v0=$(scrubbed_bytes) d0=$(nodes_disk_reads)
  copied0=$(status_get "s['repair']['copied_bytes']")
  read -r busy0 total0 <<<"$(machine_ticks)"
  out=$("$CBENCH" --op put --files "$UPLOAD_FILES" --min-size $((4 << 20)) \
    --max-size $((8 << 20)) --parallel 8 --prefix "up/$1-$2/" --seed "$3" \
    --latencies-file "$lat")
  read -r busy1 total1 <<<"$(machine_ticks)"
  d1=$(nodes_disk_reads)
  sleep 1  # heartbeats carry the scrub figures with up to a second's delay
  v1=$(scrubbed_bytes) t1=$(now)
  copied1=$(status_get "s['repair']['copied_bytes']")
  record "{\"kind\": \"upload\", \"setting\": \"$1\", \"run\": $2, \"bench\": $out,
    \"latencies_ms\": [$(paste -sd, "$lat")], \"scrubbed_bytes\": $((v1 - v0)),
    \"scrub_window_s\": $(python3 -c "print($t1 - $t0)"), \"nodes_disk_read_bytes\": $((d1 - d0)),
    \"repair_copied_bytes\": $((copied1 - copied0)),
    \"machine_busy\": $(python3 -c "print(($busy1 - $busy0) / ($total1 - $total0))")}"
  log "upload, scrub $1: $out; scrubbed $(((v1 - v0) >> 20)) MiB, disk reads $(((d1 - d0) >> 20)) MiB"
}

# One unmeasured upload first (connections, memtables, page cache), then
# the settings, rotating from run to run so drift on the shared machine
# does not fall on one setting.
if want upload; then
  log "unmeasured warm-up upload"
  "$CBENCH" --op put --files $((UPLOAD_FILES / 2)) --min-size $((4 << 20)) --max-size $((8 << 20)) \
    --parallel 8 --prefix up/warmup/ --seed 1999 >/dev/null
  n_set=${#SCRUB_SETTINGS[@]}
  for ((r = 1; r <= RUNS; r++)); do
    for ((k = 0; k < n_set; k++)); do
      setting=${SCRUB_SETTINGS[$(((r - 1 + k) % n_set))]}
      log "upload run $r, scrub $setting"
      set_scrub "$setting"
      upload_run "$setting" "$r" $((2000 + 10 * r + k))  # new content each
    done
  done
fi
FINAL_FSCK=$("$ADMIN" fsck --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["ok"])') || true

# ----------------------------------------------------------------- report

mkdir -p "$ROOT/bench/results"
STAMP=$(date +%Y-%m-%d)
((QUICK)) && STAMP=$STAMP-quick
((${#PHASES[@]} == 0)) || STAMP=$STAMP-$(IFS=-; echo "${PHASES[*]}")
OUT=$ROOT/bench/results/repair-$STAMP
GIT_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
GIT_DIRTY=$(git -C "$ROOT" status --porcelain 2>/dev/null | grep -qv '^??' && echo 1 || echo 0)
SCRUB_FLAGS_JSON=$(for k in "${SCRUB_SETTINGS[@]}"; do printf '%s\n%s\n' "$k" "${SCRUB_FLAGS[$k]}"; done |
  python3 -c 'import json, sys; l = sys.stdin.read().split("\n"); print(json.dumps(dict(zip(l[0::2], l[1::2]))))')
export QUICK RUNS GIT_COMMIT GIT_DIRTY START_LOAD FIO_SIZE DROP_CACHES BASE_FILES \
  UPLOAD_FILES FINAL_FSCK SCRUB_FLAGS_JSON
DATA_FS="$(df --output=fstype "$BASE" | tail -1 | tr -d ' ') on $(df --output=source "$BASE" | tail -1)"
export DATA_FS
python3 - "$RAW" "$OUT" <<'EOF'
import json, os, statistics, sys, time

E = os.environ
raw, out = sys.argv[1:3]
meta = {
    "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    "mode": "quick" if E["QUICK"] == "1" else "full",
    "runs": int(E["RUNS"]),
    "git_commit": E["GIT_COMMIT"],
    "git_dirty": E["GIT_DIRTY"] == "1",
    "cpus": os.cpu_count(),
    "mem_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    "kernel": os.uname().release,
    "data_dir_fs": E["DATA_FS"],
    "load_at_start": E["START_LOAD"],
    "fio_size": E["FIO_SIZE"],
    "drop_caches": E["DROP_CACHES"] == "1",
    "base_files_32MiB": int(E["BASE_FILES"]),
    "upload_files_per_run": int(E["UPLOAD_FILES"]),
    "scrub_flags": json.loads(E["SCRUB_FLAGS_JSON"]),
    "final_fsck_ok": E["FINAL_FSCK"] == "True",
}
rows = [json.loads(l) for l in open(raw)]
med = statistics.median
MiB = 2**20

def spread(v):
    return [min(v), max(v)] if v else None

def pct(x):
    return f"{100 * x:.0f}%"

# Raw figures by run; a run may hold several samples (writes are measured
# before and after each repair), and a run's figure is their mean.
disk = {}
for r in rows:
    if r["kind"] == "disk":
        disk.setdefault(r["what"], {}).setdefault(r["run"], []).append(r["MiB_per_s"])
disk_summary = {k: {"median_MiB_per_s": med([x for xs in v.values() for x in xs]),
                    "samples": [x for xs in v.values() for x in xs]}
                for k, v in disk.items()}

def raw_of(what, run):
    return statistics.mean(disk[what][run])

# 1. Scrub: MiB/s per pass; the ratio of each run is to the raw read of
# the same run, and its median is reported with the spread.
scrub = {}
for state, base in (("cold", "read_seq_cold"), ("warm", "read_page_cache")):
    rs = [r for r in rows if r["kind"] == "scrub" and r["state"] == state]
    if not rs:
        continue
    mibs = [r["bytes"] / MiB / r["seconds"] for r in rs]
    ratios = [m / raw_of(base, r["run"]) for m, r in zip(mibs, rs)]
    rand = [m / raw_of("read_rand_cold", r["run"]) for m, r in zip(mibs, rs)]
    scrub[state] = {
        "MiB_per_s": med(mibs), "runs_MiB_per_s": mibs,
        "vs": base, "ratio": med(ratios), "ratio_runs": ratios,
        "ratio_vs_read_rand_cold": med(rand),
        "node_cpu_ms_per_MiB": med([r["node_cpu_s"] * 1000 / (r["bytes"] / MiB) for r in rs]),
        "node_disk_read_x": med([r["node_disk_read_bytes"] / r["bytes"] for r in rs]),
        "bytes": rs[0]["bytes"], "chunks": rs[0]["chunks"],
        "verified_chunks": [r["result"][0]["verified_chunks"] for r in rs],
        "corrupt_found": sum(r["result"][0]["corrupt_found"] for r in rs),
    }

# 2. Repair, per variant (as shipped; receiving node with O_DIRECT flushes).
# The target compares with the better of the run's two raw write figures.
repair = {}
for r in rows:
    if r["kind"] != "repair":
        continue
    r["copied_bytes"] = r["repair"]["copied_bytes"] - r["copied0"]
    r["MiB_per_s"] = r["copied_bytes"] / MiB / r["repair_s"]
    r["time_to_six_s"] = r["start_s"] + r["repair_s"] + r["fsck_s"]
    end, sync = raw_of("write_end_fsync", r["run"]), raw_of("write_fdatasync_4MiB", r["run"])
    r["vs_write_end_fsync"] = r["MiB_per_s"] / end
    r["vs_write_fdatasync_4MiB"] = r["MiB_per_s"] / sync
    r["vs_write_best"] = r["MiB_per_s"] / max(end, sync)
    r["target_cpu_ms_per_MiB"] = r["target_cpu_s"] * 1000 / (r["copied_bytes"] / MiB)
    r["status_rate_MiB_per_s"] = r["status"]["repair"]["rate_bytes_per_s"] / MiB
    repair.setdefault(r["variant"], []).append(r)
REPAIR_KEYS = ("MiB_per_s", "time_to_six_s", "repair_s", "vs_write_end_fsync",
               "vs_write_fdatasync_4MiB", "vs_write_best", "target_cpu_ms_per_MiB",
               "machine_busy", "status_rate_MiB_per_s")
for variant, rs in list(repair.items()):
    v = {k: med([r[k] for r in rs]) for k in REPAIR_KEYS}
    v.update({k + "_runs": [r[k] for r in rs] for k in REPAIR_KEYS})
    v["copied_MiB"] = med([r["copied_bytes"] / MiB for r in rs])
    v["target_disk_write_x"] = med([r["target_disk_write_bytes"] / r["copied_bytes"] for r in rs])
    v["fsck_ok"] = all(r["fsck"]["ok"] for r in rs)
    v["nodes"] = [r["node"] for r in rs]
    repair[variant] = v

# 3. Uploads per scrub setting; percentiles pooled over the runs.
def percentile(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * (len(v) - 1) + 0.5))] if v else 0

uploads = {}
for r in rows:
    if r["kind"] == "upload":
        uploads.setdefault(r["setting"], []).append(r)
upload = {}
for setting, rs in uploads.items():
    lat = [x for r in rs for x in r["latencies_ms"]]
    upload[setting] = {
        "flags": meta["scrub_flags"][setting],
        "files": len(lat),
        "failures": sum(r["bench"]["failures"] for r in rs),
        "MiB_per_s": med([r["bench"]["MiB_per_s"] for r in rs]),
        "runs_MiB_per_s": [r["bench"]["MiB_per_s"] for r in rs],
        "p50_ms": percentile(lat, 0.50), "p99_ms": percentile(lat, 0.99),
        "runs_p50_ms": [r["bench"]["p50_ms"] for r in rs],
        "runs_p99_ms": [r["bench"]["p99_ms"] for r in rs],
        "scrub_MiB_per_s": med([r["scrubbed_bytes"] / MiB / r["scrub_window_s"] for r in rs]),
        "disk_read_MiB_per_s": med([r["nodes_disk_read_bytes"] / MiB / r["bench"]["seconds"] for r in rs]),
        "repair_copied_bytes": sum(r["repair_copied_bytes"] for r in rs),
        "machine_busy": med([r["machine_busy"] for r in rs]),
    }
# Against "off": pooled figures, and the median of the ratios to the "off"
# run of the same round (drift over the phase cancels out of those).
off = upload.get("off")
off_by_run = {r["run"]: r["bench"] for r in uploads.get("off", [])}
for setting, s in upload.items():
    if off:
        s["p50_vs_off"] = s["p50_ms"] / off["p50_ms"]
        s["p99_vs_off"] = s["p99_ms"] / off["p99_ms"]
        s["MiB_per_s_vs_off"] = s["MiB_per_s"] / off["MiB_per_s"]
        for k in ("MiB_per_s", "p50_ms", "p99_ms"):
            paired = [r["bench"][k] / off_by_run[r["run"]][k]
                      for r in uploads[setting] if r["run"] in off_by_run]
            s[k + "_vs_off_paired"] = med(paired) if paired else None
            s[k + "_vs_off_paired_runs"] = paired

targets = {}
if "cold" in scrub:
    targets["scrub_cold_vs_read_seq_cold"] = {"target": 0.70, "value": scrub["cold"]["ratio"]}
if "shipped" in repair:
    targets["repair_vs_best_raw_write"] = {"target": 0.50, "value": repair["shipped"]["vs_write_best"]}
for t in targets.values():
    t["met"] = t["value"] >= t["target"]

base = [r for r in rows if r["kind"] == "base_upload"][0]["bench"]
json.dump({"meta": meta, "disk": disk_summary, "base_upload": base, "scrub": scrub,
           "repair": repair, "upload": upload, "targets": targets, "raw_rows": rows},
          open(out + ".json", "w"), indent=1)

L = [f"# Repair benchmark, {meta['date']} ({meta['mode']})", ""]
L.append(f"Commit {meta['git_commit']}{' (dirty tree)' if meta['git_dirty'] else ''}, "
         f"{meta['cpus']} CPUs, {meta['mem_gib']} GiB RAM, kernel {meta['kernel']}, data on "
         f"{meta['data_dir_fs']}, load average at start {meta['load_at_start']}. "
         f"Single-machine cluster, 3 nodes per region, so every drive holds every chunk; "
         f"base data {base['bytes'] / MiB:.0f} MiB in 4 MiB chunks ({meta['base_files_32MiB']} "
         f"files of 32 MiB, uploaded at {base['MiB_per_s']:.0f} MiB/s). Medians of "
         f"{meta['runs']} run(s); every ratio is to the raw figure of the same run, "
         f"and [min, max] over the runs follows it.")
L.append("")
L.append(f"## Raw disk (fio, 4 MiB blocks, one job, psync, {meta['fio_size']})")
L.append("")
L.append("| measurement | MiB/s (median) | samples |")
L.append("|---|---:|---|")
cold = "cold (page cache dropped)" if meta["drop_caches"] else "O_DIRECT (drop_caches not permitted)"
names = {"read_seq_cold": f"sequential read, {cold}",
         "read_rand_cold": f"random read, {cold}",
         "read_page_cache": "sequential read from the page cache",
         "write_end_fsync": "sequential write, buffered, fsync at end",
         "write_fdatasync_4MiB": "sequential write, buffered, fdatasync every 4 MiB"}
for k, label in names.items():
    if k in disk_summary:
        d = disk_summary[k]
        L.append(f"| {label} | {d['median_MiB_per_s']:.0f} | {', '.join(f'{x:.0f}' for x in d['samples'])} |")
L.append("")

def rng(v, f=pct):
    return f"[{f(min(v))}, {f(max(v))}]"

L.append("## 1. Scrub, one unthrottled pass of one drive (`drive-admin scrub --drive w1/d0 --now`)")
L.append("")
L.append("| state | MiB/s | runs | vs raw | ratio | vs random read | node CPU ms/MiB | node disk reads x data |")
L.append("|---|---:|---|---|---:|---:|---:|---:|")
for state, s in scrub.items():
    label = ("cold: page cache dropped before the pass" if state == "cold"
             else "warm: right after the cold pass, every chunk in the page cache")
    L.append(f"| {label} | {s['MiB_per_s']:.0f} | {', '.join(f'{x:.0f}' for x in s['runs_MiB_per_s'])} | "
             f"{s['vs'].replace('_', ' ')} | {pct(s['ratio'])} {rng(s['ratio_runs'])} | "
             f"{pct(s['ratio_vs_read_rand_cold'])} | {s['node_cpu_ms_per_MiB']:.2f} | {s['node_disk_read_x']:.2f} |")
if not scrub.get("cold"):
    L.append("")
    L.append("No cold pass: the page cache could not be dropped (not root?).")
if scrub:
    s = next(iter(scrub.values()))
    L.append("")
    L.append(f"Each pass verified {s['chunks']} chunks ({s['bytes'] / MiB:.0f} MiB; verified_chunks per pass "
             f"{sorted(set(x for v in scrub.values() for x in v['verified_chunks']))}), "
             f"{sum(v['corrupt_found'] for v in scrub.values())} corrupt found.")
L.append("")
if repair:
    L.append("## 2. Repair of a wiped drive")
    L.append("")
    L.append("The node is stopped, its drive directory removed, memory warmed up with an unmeasured write "
             "and the raw write figures measured, then the node started; time to six copies runs from the "
             "start until `drive-admin repair --wait` reports nothing missing and `drive-admin fsck` is clean. "
             "MiB/s is the coordinator's copied bytes over the `repair --wait` time (planning included). "
             "Raw write figures are measured before and after each repair; \"best raw\" is the better of "
             "the two methods in that run.")
    L.append("")
    variants = [v for v in ("shipped", "direct") if v in repair]
    head = {"shipped": "as shipped", "direct": "receiving node `--direct-writes true`"}
    L.append("| figure | " + " | ".join(f"{head[v]} | runs" for v in variants) + " |")
    L.append("|---|" + "---:|---|" * len(variants))
    f0 = lambda x: f"{x:.0f}"
    f1 = lambda x: f"{x:.1f}"
    f2 = lambda x: f"{x:.2f}"
    def row(label, key, fmt, unit=""):
        cells = []
        for v in variants:
            x = repair[v]
            cells.append(f"{fmt(x[key])}{unit} | {', '.join(map(fmt, x[key + '_runs']))}")
        L.append(f"| {label} | " + " | ".join(cells) + " |")
    L.append("| copied | " + " | ".join(f"{repair[v]['copied_MiB']:.0f} MiB | nodes {', '.join(repair[v]['nodes'])}" for v in variants) + " |")
    row("time to six copies, s", "time_to_six_s", f1)
    row("repair throughput, MiB/s", "MiB_per_s", f0)
    row("vs best raw write", "vs_write_best", pct)
    row("vs raw write, fsync at end", "vs_write_end_fsync", pct)
    row("vs raw write, fdatasync every 4 MiB", "vs_write_fdatasync_4MiB", pct)
    row("receiving node CPU, ms/MiB", "target_cpu_ms_per_MiB", f2)
    row("whole machine busy during the copies", "machine_busy", pct)
    row("copy-phase rate in `drive-admin status`, MiB/s", "status_rate_MiB_per_s", f0)
    L.append("")
    L.append("Receiving drive's disk writes over the bytes copied: "
             + ", ".join(f"{head[v]} {repair[v]['target_disk_write_x']:.2f}x" for v in variants)
             + f". fsck clean after every run: {'yes' if all(repair[v]['fsck_ok'] for v in variants) else 'NO'}.")
    L.append("")
if upload:
    L.append(f"## 3. Uploads while the background scrub runs ({meta['upload_files_per_run']} files of 4-8 MiB per run, 8 in flight)")
    L.append("")
    L.append("p50/p99 are over the files of all runs of a setting (pooled); MiB/s is the median of the runs; "
             "\"vs off\" gives the pooled ratios and, in brackets, the median of each run's ratio to the "
             "\"off\" upload of the same round (settings rotate from round to round); "
             "\"scrubbed\" is what all six drives verified per second around the uploads (from the "
             "heartbeats' scrub counters), \"disk reads\" what the nodes read from the disk (not the page "
             "cache) per second of upload.")
    L.append("")
    L.append("| background scrub | node flags | files | MiB/s | p50 ms | p99 ms | p99 per run | scrubbed MiB/s | disk reads MiB/s | machine busy | vs off: MiB/s, p50, p99 |")
    L.append("|---|---|---:|---:|---:|---:|---|---:|---:|---:|---|")
    for setting in ("off", "default", "cap", "cap6"):
        s = upload.get(setting)
        if not s:
            continue
        vs = (f"{pct(s['MiB_per_s_vs_off'])} ({pct(s['MiB_per_s_vs_off_paired'])}), "
              f"{pct(s['p50_vs_off'])} ({pct(s['p50_ms_vs_off_paired'])}), "
              f"{pct(s['p99_vs_off'])} ({pct(s['p99_ms_vs_off_paired'])})"
              if off and setting != "off" else "")
        L.append(f"| {setting} | `{s['flags'] or '(none)'}` | {s['files']} | {s['MiB_per_s']:.0f} | "
                 f"{s['p50_ms']:.0f} | {s['p99_ms']:.0f} | {', '.join(f'{x:.0f}' for x in s['runs_p99_ms'])} | "
                 f"{s['scrub_MiB_per_s']:.0f} | {s['disk_read_MiB_per_s']:.0f} | {pct(s['machine_busy'])} | {vs} |")
    L.append("")
    fails = sum(s["failures"] for s in upload.values())
    copied = sum(s["repair_copied_bytes"] for s in upload.values())
    L.append(f"Upload failures: {fails}. Repair copies during the uploads: {copied / MiB:.0f} MiB. "
             f"fsck at the end: {'clean' if meta['final_fsck_ok'] else 'NOT clean'}.")
    L.append("")
L.append("## Targets")
L.append("")
L.append("| target | value | met |")
L.append("|---|---:|---|")
if "scrub_cold_vs_read_seq_cold" in targets:
    t = targets["scrub_cold_vs_read_seq_cold"]
    L.append(f"| scrub >= 70% of raw sequential read (cold vs cold) | {pct(t['value'])} "
             f"{rng(scrub['cold']['ratio_runs'])} | {'yes' if t['met'] else 'NO'} |")
if "repair_vs_best_raw_write" in targets:
    t = targets["repair_vs_best_raw_write"]
    x = repair["shipped"]
    L.append(f"| repair >= 50% of raw write (the better of fsync at end and fdatasync every 4 MiB) | "
             f"{pct(t['value'])} {rng(x['vs_write_best_runs'])} ({pct(x['vs_write_end_fsync'])} of fsync at end, "
             f"{pct(x['vs_write_fdatasync_4MiB'])} of fdatasync every 4 MiB) | {'yes' if t['met'] else 'NO'} |")
if off and "cap" in upload:
    c = upload["cap"]
    L.append(f"| upload p99 with scrub at 64 MiB/s per drive (report) | {pct(c['p99_vs_off'])} of off pooled, "
             f"{pct(c['p99_ms_vs_off_paired'])} paired by round "
             f"({', '.join(map(pct, c['p99_ms_vs_off_paired_runs']))}) | - |")
open(out + ".md", "w").write("\n".join(L) + "\n")
EOF
cat "$OUT.md"
log "wrote $OUT.json and $OUT.md"
