#!/usr/bin/env bash
# Storage node benchmark: measures the raw disk with fio, then drives a fresh
# `drived node` with drive-bench (PutChunk / GetChunk, 4 MiB and 128 KiB
# chunks, 1 and 8 streams, both durability modes for 4 MiB x 8 put) and
# reports medians next to the raw disk figures. See bench/README.md.
#
#   bench/run.sh [--quick] [--runs N] [--dir DIR] [--out DIR]
#                [--node-tunables GLIBC_TUNABLES] [--tag NAME]
#
# Writes bench/results/node-<date>[-quick][-NAME].{json,md} and prints the
# Markdown table. --node-tunables runs the node with that GLIBC_TUNABLES
# value (an allocator experiment; default: the node as shipped). Needs a
# release build (build/release), fio and python3; uses no network. Removes
# its node and files on exit.
set -euo pipefail

# One benchmark at a time on this machine: they share one disk and 2 cores.
if [[ -z ${DRIVE_BENCH_LOCKED:-} ]]; then
  exec env DRIVE_BENCH_LOCKED=1 flock /tmp/drive-bench.lock "$0" "$@"
fi

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
BUILD=${BUILD_DIR:-$ROOT/build/release}
DRIVED=$BUILD/daemon/drived
BENCH=$BUILD/bench/drive-bench
BASE_DIR=${BENCH_DIR:-/var/tmp}
OUT_DIR=$ROOT/bench/results
QUICK=0
RUNS=""
NODE_TUNABLES=""
TAG=""

usage() {
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
}

while (($#)); do
  case $1 in
    --quick) QUICK=1 ;;
    --runs) RUNS=$2; shift ;;
    --dir) BASE_DIR=$2; shift ;;
    --out) OUT_DIR=$2; shift ;;
    --node-tunables) NODE_TUNABLES=$2; shift ;;
    --tag) TAG=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

# Sizes. A full run stays under ~10 minutes on the 2-core project machine;
# --quick is a smoke test of the whole pipeline in about a minute.
if ((QUICK)); then
  RUNS=${RUNS:-1}
  FIO_SIZE=512M FIO_RUNS=1
  WARMUP=64MiB PUT_4M=256MiB PUT_128K=32MiB PUT_128K_SECONDS=5
  GET_128K=64MiB MIN_FREE_GIB=4
else
  RUNS=${RUNS:-3}
  FIO_SIZE=2G FIO_RUNS=3
  WARMUP=256MiB PUT_4M=1GiB PUT_128K=256MiB PUT_128K_SECONDS=12
  GET_128K=512MiB MIN_FREE_GIB=12
fi
# Safety cap per 4 MiB put run, so a pathologically slow node cannot blow
# the time budget; a capped run is still a valid (shorter) measurement.
PUT_4M_SECONDS=60

die() { echo "run.sh: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

for tool in fio python3 flock; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done
[[ -x $DRIVED && -x $BENCH ]] || die "missing $DRIVED or $BENCH; build with:
  cd $ROOT && flock /tmp/drive-build.lock cmake --preset release &&
  flock /tmp/drive-build.lock cmake --build build/release -j2 --target drived drive-bench"

# Page-cache-only filesystems would measure memcpy, not the disk.
bench_check_dir run.sh "$BASE_DIR" "$MIN_FREE_GIB"
FSTYPE=$(df --output=fstype "$BASE_DIR" | tail -1 | tr -d ' ')
FREE_GIB=$(($(df --output=avail -k "$BASE_DIR" | tail -1) / 1024 / 1024))

WORK=$(mktemp -d "$BASE_DIR/drive-bench.XXXXXX")
NODE_PID=""
cleanup() {
  stop_node || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

RAW=$WORK/raw.jsonl  # one JSON object per measurement, aggregated at the end
: >"$RAW"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$WORK/token"
CLK_TCK=$(getconf CLK_TCK)
DEVICE=$(df --output=source "$BASE_DIR" | tail -1)
DROP_CACHES=0
if bench_can_drop_caches; then DROP_CACHES=1; fi
START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
log "work dir $WORK ($FSTYPE on $DEVICE, ${FREE_GIB} GiB free), load $START_LOAD"

# ---------------------------------------------------------------- raw disk

# One fio job on $WORK/fio.dat (bench/lib.sh); prints its MiB/s.
fio_mib_s() { bench_fio "$WORK/fio.dat" "$FIO_SIZE" "$@"; }

record_disk() {  # name mib_s
  echo "{\"disk\": \"$1\", \"MiB_per_s\": $2}" >>"$RAW"
  log "disk $1: $2 MiB/s"
}

drop_caches() { bench_drop_caches; }

bench_fio_warmup "$WORK/fio.dat" 1G
for ((i = 0; i < FIO_RUNS; i++)); do
  rm -f "$WORK/fio.dat"
  record_disk write_end_fsync "$(fio_mib_s write --rw=write --direct=0 --end_fsync=1)"
  rm -f "$WORK/fio.dat"
  record_disk write_fdatasync_4MiB "$(fio_mib_s write --rw=write --direct=0 --fdatasync=1)"
done
if ((DROP_CACHES)); then
  READ_MODE="buffered, cold (page cache dropped before each run)"
else
  READ_MODE="O_DIRECT (drop_caches not permitted)"
fi
for ((i = 0; i < FIO_RUNS; i++)); do
  if ((DROP_CACHES)); then
    drop_caches
    record_disk read_cold "$(fio_mib_s read --rw=read --direct=0)"
  else
    record_disk read_cold "$(fio_mib_s read --rw=read --direct=1)"
  fi
done
# The same file again, from the page cache (fio must not invalidate it).
fio --name=fill --filename="$WORK/fio.dat" --bs=4M --size="$FIO_SIZE" \
  --rw=read --invalidate=0 --output-format=terse >/dev/null
for ((i = 0; i < FIO_RUNS; i++)); do
  record_disk read_page_cache "$(fio_mib_s read --rw=read --direct=0 --invalidate=0)"
done
rm -f "$WORK/fio.dat"

# ------------------------------------------------------------------- node

start_node() {  # durability dir
  local durability=$1 dir=$2
  mkdir -p "$dir"
  env ${NODE_TUNABLES:+GLIBC_TUNABLES="$NODE_TUNABLES"} \
    "$DRIVED" node --name bench --listen 127.0.0.1:0 \
    --metrics-listen 127.0.0.1:0 --drive "d0=$dir/d0" \
    --cluster-token-file "$WORK/token" --ready-file "$dir/ready.json" \
    --durability "$durability" >"$dir/node.log" 2>&1 &
  NODE_PID=$!
  for ((i = 0; i < 300; i++)); do
    [[ -s $dir/ready.json ]] && break
    kill -0 "$NODE_PID" 2>/dev/null || {
      cat "$dir/node.log" >&2
      die "node exited during startup"
    }
    sleep 0.1
  done
  [[ -s $dir/ready.json ]] || die "node not ready after 30 s"
  PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["grpc_port"])' \
    "$dir/ready.json")
}

stop_node() {
  [[ -n $NODE_PID ]] || return 0
  if kill -0 "$NODE_PID" 2>/dev/null; then
    kill -TERM "$NODE_PID"
    for ((i = 0; i < 300; i++)); do
      kill -0 "$NODE_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$NODE_PID" 2>/dev/null && kill -KILL "$NODE_PID"
  fi
  wait "$NODE_PID" 2>/dev/null || true
  NODE_PID=""
}

# Node CPU ticks, node bytes written and read at the block layer, and
# busy ticks of the whole machine (to tell how loaded the box was).
snapshot() {
  local stat io_w io_r
  read -r -a stat <"/proc/$NODE_PID/stat"
  io_w=$(awk '/^write_bytes/ {print $2}' "/proc/$NODE_PID/io")
  io_r=$(awk '/^read_bytes/ {print $2}' "/proc/$NODE_PID/io")
  read -r _ u n s _ _ irq sirq _ </proc/stat
  echo "$((stat[13] + stat[14])),$io_w,$io_r,$((u + n + s + irq + sirq))"
}

node_cpu_ticks() {
  local stat
  read -r -a stat <"/proc/$NODE_PID/stat"
  echo $((stat[13] + stat[14]))
}

# Waits until the node's background work (flushes, compaction, blob GC)
# has drained, so get runs measure reads and not leftover put work; records
# how long that took and the CPU it used.
wait_idle() {  # tags-json
  local start_ticks t0 t1 waited=0
  start_ticks=$(node_cpu_ticks)
  for ((i = 0; i < 120; i++)); do
    t0=$(node_cpu_ticks)
    sleep 0.5
    t1=$(node_cpu_ticks)
    # Idle: under ~5% of one core over the last half second.
    ((t1 - t0 <= CLK_TCK / 40)) && break
    waited=$((waited + 1))
  done
  echo "{\"tags\": $1, \"settle_s\": $(python3 -c "print($waited / 2)"), \"settle_cpu_s\": $(python3 -c "print(($t1 - $start_ticks) / $CLK_TCK)")}" >>"$RAW"
  log "node settled after $((waited / 2)) s"
}

# Runs drive-bench once against the node and records its JSON line with
# tags and /proc snapshots around it.
bench_once() {  # tags-json drive-bench-args...
  local tags=$1 before after out attempt
  shift
  # One retry: on this shared machine a connect has been seen to fail
  # transiently; a second failure is real and ends the run.
  for attempt in 1 2; do
    before=$(snapshot)
    if out=$("$BENCH" --address "127.0.0.1:$PORT" --token-file "$WORK/token" "$@"); then
      break
    fi
    ((attempt == 1)) || die "drive-bench $* failed twice"
    log "drive-bench failed; retrying once"
    sleep 1
  done
  after=$(snapshot)
  echo "{\"tags\": $tags, \"bench\": $out, \"before\": [$before], \"after\": [$after]}" >>"$RAW"
  log "$tags $(python3 -c 'import json, sys; j = json.loads(sys.argv[1]); print("%.0f MiB/s, p50 %.1f ms, p99 %.1f ms" % (j["MiB_per_s"], j["p50_ms"], j["p99_ms"]))' "$out")"
}

# One node per configuration: each starts from an empty drive, so no
# configuration pays for the compaction backlog of the one before.
run_config() {  # durability chunk-size streams with-get
  local durability=$1 chunk=$2 streams=$3 with_get=$4
  local name="$durability-$chunk-$streams" dir
  dir=$WORK/$name
  local tags="\"durability\": \"$durability\", \"chunk\": \"$chunk\", \"streams\": $streams"
  local put_args=(--op put --chunk-size "$chunk" --streams "$streams")
  local budget=(--total-bytes "$PUT_4M" --seconds "$PUT_4M_SECONDS")
  [[ $chunk == 4MiB ]] || budget=(--total-bytes "$PUT_128K" --seconds "$PUT_128K_SECONDS")
  start_node "$durability" "$dir"
  log "node $name pid $NODE_PID port $PORT"
  bench_once "{$tags, \"kind\": \"warmup\"}" "${put_args[@]}" \
    --total-bytes "$WARMUP" --seconds "$PUT_4M_SECONDS"
  for ((r = 1; r <= RUNS; r++)); do
    # Every run writes new random content: nothing is deduplicated.
    bench_once "{$tags, \"kind\": \"put\", \"run\": $r}" "${put_args[@]}" \
      "${budget[@]}" --ids-file "$dir/put-$r.ids"
  done
  wait_idle "{$tags, \"kind\": \"settle\"}"
  if ((with_get)); then
    # Reads the chunks of the last put run; they were just written, so they
    # sit in the page cache (the machine has far more RAM than data).
    local get_args=(--op get --streams "$streams" --ids-file "$dir/put-$RUNS.ids")
    [[ $chunk == 4MiB ]] || get_args+=(--total-bytes "$GET_128K")
    for ((r = 1; r <= RUNS; r++)); do
      bench_once "{$tags, \"kind\": \"get\", \"run\": $r}" "${get_args[@]}"
    done
    if ((DROP_CACHES)) && [[ $chunk == 4MiB ]]; then
      drop_caches
      bench_once "{$tags, \"kind\": \"get_cold\", \"run\": 1}" "${get_args[@]}"
    fi
  fi
  # The options RocksDB actually ran with; the tree under test may change.
  if [[ ! -s $WORK/rocksdb-options.txt ]]; then
    grep -hE '^\s*(enable_blob_files|min_blob_size|blob_file_size|enable_blob_garbage_collection|blob_garbage_collection_age_cutoff|write_buffer_size|max_write_buffer_number|max_background_jobs)=' \
      "$dir"/d0/OPTIONS-* | sed 's/^ *//' | sort -u >"$WORK/rocksdb-options.txt" || true
  fi
  local hwm
  hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$NODE_PID/status")
  echo "{\"tags\": {$tags, \"kind\": \"rss\"}, \"vmhwm_kib\": $hwm}" >>"$RAW"
  log "node $name VmHWM $((hwm / 1024)) MiB"
  stop_node
  rm -rf "$dir"
}

run_config flush 4MiB 1 1
run_config flush 4MiB 8 1
run_config flush 128KiB 1 1
run_config flush 128KiB 8 1
run_config wal 4MiB 8 0

# ----------------------------------------------------------------- report

DATE=$(date +%Y-%m-%d)
SUFFIX=$( ((QUICK)) && echo "-quick" || true)${TAG:+-$TAG}
mkdir -p "$OUT_DIR"
JSON_OUT=$OUT_DIR/node-$DATE$SUFFIX.json
MD_OUT=$OUT_DIR/node-$DATE$SUFFIX.md
GIT_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
GIT_DIRTY=$(git -C "$ROOT" status --porcelain 2>/dev/null | grep -qv '^??' && echo true || echo false)

python3 - "$RAW" "$JSON_OUT" "$MD_OUT" <<EOF
import json, statistics, sys, time

raw_path, json_out, md_out = sys.argv[1:4]
meta = {
    "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    "mode": "quick" if $QUICK else "full",
    "runs": $RUNS,
    "git_commit": "$GIT_COMMIT",
    "git_dirty": $( [[ $GIT_DIRTY == true ]] && echo True || echo False ),
    "cpus": $(nproc),
    "mem_gib": round($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 2**20, 1),
    "kernel": "$(uname -r)",
    "data_dir_fs": "$FSTYPE on $DEVICE",
    "load_at_start": "$START_LOAD",
    "clk_tck": $CLK_TCK,
    "fio_size": "$FIO_SIZE",
    "read_mode": "$READ_MODE",
    "node_glibc_tunables": "$NODE_TUNABLES",
    "rocksdb_options": dict(l.strip().split("=", 1) for l in open("$WORK/rocksdb-options.txt") if "=" in l),
}
rows = [json.loads(l) for l in open(raw_path)]
med = statistics.median

disk = {}
for r in rows:
    if "disk" in r:
        disk.setdefault(r["disk"], []).append(r["MiB_per_s"])
disk_summary = {k: {"median_MiB_per_s": med(v), "runs": v} for k, v in disk.items()}
w_end = disk_summary["write_end_fsync"]["median_MiB_per_s"]
w_sync = disk_summary["write_fdatasync_4MiB"]["median_MiB_per_s"]
r_cold = disk_summary["read_cold"]["median_MiB_per_s"]
r_cache = disk_summary["read_page_cache"]["median_MiB_per_s"]

def derived(r):
    """Per-run costs from the /proc snapshots around one drive-bench run."""
    b, a, bench = r["before"], r["after"], r["bench"]
    mib = bench["bytes"] / 2**20 or 1
    node_cpu_s = (a[0] - b[0]) / meta["clk_tck"]
    machine_s = (a[3] - b[3]) / meta["clk_tck"]
    other_s = max(0.0, machine_s - node_cpu_s - bench["client_cpu_s"])
    return {
        "node_cpu_ms_per_MiB": node_cpu_s * 1000 / mib,
        "client_cpu_ms_per_MiB": bench["client_cpu_s"] * 1000 / mib,
        "node_disk_write_x": (a[1] - b[1]) / bench["bytes"],
        "node_disk_read_x": (a[2] - b[2]) / bench["bytes"],
        # CPU used by everything else on the box, as a share of all cores.
        "other_cpu_pct": 100 * other_s / (bench["seconds"] * meta["cpus"]),
    }

groups = {}
rss = {}
settle = {}
for r in rows:
    t = r.get("tags")
    if not t:
        continue
    key = (t["kind"], t["durability"], t["chunk"], t["streams"])
    if t["kind"] == "rss":
        rss["{durability}-{chunk}-{streams}".format(**t)] = r["vmhwm_kib"]
    elif t["kind"] == "settle":
        settle[key[1:]] = r
    elif t["kind"] != "warmup":
        groups.setdefault(key, []).append(dict(r["bench"], **derived(r)))

results = []
for (kind, durability, chunk, streams), runs in groups.items():
    s = {"op": kind, "durability": durability, "chunk": chunk,
         "streams": streams, "n": len(runs)}
    for f in ("MiB_per_s", "ops_per_s", "p50_ms", "p99_ms",
              "node_cpu_ms_per_MiB", "client_cpu_ms_per_MiB",
              "node_disk_write_x", "node_disk_read_x", "other_cpu_pct"):
        s[f] = med([x[f] for x in runs])
    if kind == "put":
        # Background work the puts left behind (compaction, blob GC) is part
        # of what a put costs; charge it to the put runs as well.
        st = settle.get((durability, chunk, streams))
        if st:
            s["settle_s"] = st["settle_s"]
            s["settle_cpu_s"] = st["settle_cpu_s"]
            cpu_s = sum(x["node_cpu_ms_per_MiB"] * x["bytes"] / 2**20 for x in runs) / 1000
            mib = sum(x["bytes"] for x in runs) / 2**20
            s["node_cpu_ms_per_MiB_with_backlog"] = (cpu_s + st["settle_cpu_s"]) * 1000 / mib
        s["vs_write_end_fsync"] = s["MiB_per_s"] / w_end
        s["vs_write_fdatasync_4MiB"] = s["MiB_per_s"] / w_sync
    else:
        s["vs_read_cold"] = s["MiB_per_s"] / r_cold
        s["vs_read_page_cache"] = s["MiB_per_s"] / r_cache
    s["runs"] = runs
    results.append(s)

def find(op, durability, chunk, streams):
    for s in results:
        if (s["op"], s["durability"], s["chunk"], s["streams"]) == (op, durability, chunk, streams):
            return s
    return None

put = find("put", "flush", "4MiB", 8)
get = find("get", "flush", "4MiB", 8)
max_rss_mib = max(rss.values()) / 1024
targets = {
    "put_4MiB_x8_vs_write_end_fsync": {"target": 0.45, "value": put["vs_write_end_fsync"]},
    "get_4MiB_x8_vs_read_cold": {"target": 0.60, "value": get["vs_read_cold"]},
    "node_vmhwm_MiB": {"target": 512, "value": max_rss_mib},
}
for k, v in targets.items():
    v["met"] = v["value"] < v["target"] if k == "node_vmhwm_MiB" else v["value"] >= v["target"]

json.dump({"meta": meta, "disk": disk_summary, "results": results,
           "node_vmhwm_kib": rss, "targets": targets},
          open(json_out, "w"), indent=2)

def pct(x):
    return f"{100 * x:.0f}%"

L = []
L.append(f"# Storage node benchmark, {meta['date']} ({meta['mode']})")
L.append("")
L.append(f"Commit {meta['git_commit']}{' (dirty tree)' if meta['git_dirty'] else ''}, "
         f"{meta['cpus']} CPUs, {meta['mem_gib']} GiB RAM, kernel {meta['kernel']}, "
         f"data on {meta['data_dir_fs']}. Load average at start: {meta['load_at_start']}. "
         f"Figures are medians of {meta['runs']} run(s)."
         + (f" Node run with GLIBC_TUNABLES={meta['node_glibc_tunables']}." if meta['node_glibc_tunables'] else ""))
L.append("")
L.append("RocksDB options in effect: " + ", ".join(f"{k}={v}" for k, v in meta["rocksdb_options"].items()) + ".")
L.append("")
L.append("## Raw disk (fio, 4 MiB sequential, one job, psync)")
L.append("")
L.append("| measurement | MiB/s | runs |")
L.append("|---|---:|---|")
names = {"write_end_fsync": f"write, buffered, fsync at end ({meta['fio_size']})",
         "write_fdatasync_4MiB": f"write, buffered, fdatasync every 4 MiB ({meta['fio_size']})",
         "read_cold": f"read, {meta['read_mode']}",
         "read_page_cache": "read, buffered, from the page cache"}
for k, label in names.items():
    d = disk_summary[k]
    L.append(f"| {label} | {d['median_MiB_per_s']:.0f} | {', '.join(f'{x:.0f}' for x in d['runs'])} |")
L.append("")
L.append("## drive-bench against one node")
L.append("")
L.append("Put: each chunk is new random content, acknowledged once durable. "
         "Get: reads the chunks of the last put run, verified by the node; they "
         "are in the page cache (warm) unless marked cold. \"vs raw\" is put vs "
         "the fsync-at-end write / vs the fdatasync-per-4-MiB write, and get vs "
         "the cold read / vs the page-cache read.")
L.append("")
L.append("| op | chunk | streams | durability | MiB/s | ops/s | p50 ms | p99 ms | vs raw | node CPU ms/MiB | disk writes x data | other CPU load |")
L.append("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
order = {"put": 0, "get": 1, "get_cold": 2}
for s in sorted(results, key=lambda s: (order[s["op"]], s["durability"] != "flush", s["chunk"] != "4MiB", s["streams"])):
    if s["op"] == "put":
        vs = f"{pct(s['vs_write_end_fsync'])} / {pct(s['vs_write_fdatasync_4MiB'])}"
        wx = f"{s['node_disk_write_x']:.1f}"
    else:
        vs = f"{pct(s['vs_read_cold'])} / {pct(s['vs_read_page_cache'])}"
        wx = "-"
    op = "get (cold)" if s["op"] == "get_cold" else s["op"]
    L.append(f"| {op} | {s['chunk']} | {s['streams']} | {s['durability']} | "
             f"{s['MiB_per_s']:.0f} | {s['ops_per_s']:.1f} | {s['p50_ms']:.1f} | "
             f"{s['p99_ms']:.1f} | {vs} | {s['node_cpu_ms_per_MiB']:.1f} | {wx} | "
             f"{s['other_cpu_pct']:.0f}% |")
L.append("")
L.append("\"node CPU\" is the node's user+system time per MiB moved; \"disk writes x "
         "data\" is the node's block-layer write bytes (/proc/PID/io) over the bytes "
         "put; \"other CPU load\" is the CPU used by other processes on the machine "
         "during the run, as a share of all cores (noise indicator).")
L.append("")
L.append("Background work left after the put runs (node busy until idle; CPU "
         "charged to the puts gives the second figure):")
L.append("")
for s in results:
    if s["op"] == "put" and "settle_s" in s:
        L.append(f"- {s['durability']} {s['chunk']} x {s['streams']}: {s['settle_s']:.1f} s, "
                 f"{s['settle_cpu_s']:.1f} CPU-s; node CPU with backlog "
                 f"{s['node_cpu_ms_per_MiB_with_backlog']:.1f} ms/MiB")
L.append("")
wal = find("put", "wal", "4MiB", 8)
if wal:
    L.append("## Durability modes, put 4 MiB x 8 streams")
    L.append("")
    L.append("| durability | MiB/s | p50 ms | p99 ms | node CPU ms/MiB | disk writes x data |")
    L.append("|---|---:|---:|---:|---:|---:|")
    for s in (put, wal):
        L.append(f"| {s['durability']} | {s['MiB_per_s']:.0f} | {s['p50_ms']:.1f} | "
                 f"{s['p99_ms']:.1f} | {s['node_cpu_ms_per_MiB']:.1f} | {s['node_disk_write_x']:.1f} |")
    L.append("")
L.append("## Targets")
L.append("")
L.append("| target | value | met |")
L.append("|---|---:|---|")
t = targets
L.append(f"| PutChunk 4 MiB x 8 >= 45% of raw write (fsync at end) | {pct(t['put_4MiB_x8_vs_write_end_fsync']['value'])} "
         f"({pct(put['vs_write_fdatasync_4MiB'])} of fdatasync/4 MiB) | {'yes' if t['put_4MiB_x8_vs_write_end_fsync']['met'] else 'NO'} |")
L.append(f"| GetChunk 4 MiB x 8 >= 60% of raw cold read (page cache allowed) | {pct(t['get_4MiB_x8_vs_read_cold']['value'])} | "
         f"{'yes' if t['get_4MiB_x8_vs_read_cold']['met'] else 'NO'} |")
L.append(f"| node RSS (VmHWM, max over nodes) < 512 MiB | {max_rss_mib:.0f} MiB | {'yes' if t['node_vmhwm_MiB']['met'] else 'NO'} |")
L.append("")
L.append("VmHWM per node: " + ", ".join(f"{k} {v / 1024:.0f} MiB" for k, v in rss.items()) + ".")
open(md_out, "w").write("\n".join(L) + "\n")
EOF

cat "$MD_OUT"
log "wrote $JSON_OUT and $MD_OUT"
