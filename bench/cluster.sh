#!/usr/bin/env bash
# Cluster benchmark: starts a single-machine cluster (3 nodes per region,
# release build), measures the raw disk with fio in the same run, then
# uploads and downloads with drive-cluster-bench, 8 files in flight:
#   (a) 300 files of 4-8 MiB random data, (b) 2,000 files of 100 KiB;
# each 3 times (median), and a 2 GiB file through `drive put/get` for the
# memory bound (client max RSS, node peak RSS).
#
#   bench/cluster.sh [--quick] [--runs N] [--dir DIR]
#
# Writes bench/results/cluster-<date>[-quick].{json,md}. Downloads read data
# that the upload just wrote, so it is largely in the page cache (stated in
# the report). Needs fio, python3, /usr/bin/time; no network.
set -euo pipefail
if [[ -z ${DRIVE_BENCH_LOCKED:-} ]]; then
  exec env DRIVE_BENCH_LOCKED=1 flock /tmp/drive-bench.lock "$0" "$@"
fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build/release}
BASE=${BENCH_DIR:-/var/tmp}
QUICK=0
RUNS=3
while (($#)); do
  case $1 in
    --quick) QUICK=1; RUNS=1 ;;
    --runs) RUNS=$2; shift ;;
    --dir) BASE=$2; shift ;;
    *) sed -n '2,14p' "$0"; exit 2 ;;
  esac
  shift
done
for b in daemon/drived client/drive client/drive-admin bench/drive-cluster-bench; do
  [ -x "$BUILD/$b" ] || { echo "cluster.sh: build $BUILD/$b first (cmake --preset release && cmake --build build/release)" >&2; exit 2; }
done
WORK=$(mktemp -d "$BASE/drive-cluster-bench.XXXXXX")
CLUSTER=$WORK/cluster
cleanup() {
  "$ROOT/deploy/local-cluster.sh" down --dir "$CLUSTER" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
export DRIVE_BIN_DIR=$BUILD

if ((QUICK)); then
  A_FILES=30; B_FILES=200; FIO_SIZE=512M; BIG=$((256 << 20))
else
  A_FILES=300; B_FILES=2000; FIO_SIZE=2G; BIG=$((2 << 30))
fi

fio_mib_s() {  # rw, extra args...
  local rw=$1; shift
  fio --name=raw --filename="$WORK/fio.dat" --bs=4M --size="$FIO_SIZE" --ioengine=psync \
    --output-format=json "$@" | python3 -c '
import json,sys; j=json.load(sys.stdin)["jobs"][0][sys.argv[1]]; print(round(j["bw_bytes"]/1048576))' "$rw"
}
echo "== raw disk ($FIO_SIZE, 4 MiB blocks)" >&2
RAW_WRITE=$(fio_mib_s write --rw=write --direct=0 --end_fsync=1)
RAW_READ=$(fio_mib_s read --rw=read --direct=1)
rm -f "$WORK/fio.dat"
echo "raw write (fsync at end) $RAW_WRITE MiB/s, raw read (O_DIRECT) $RAW_READ MiB/s" >&2

echo "== cluster" >&2
"$ROOT/deploy/local-cluster.sh" up --dir "$CLUSTER" >&2
# shellcheck disable=SC1091
source "$CLUSTER/env"

RESULTS=$WORK/results.jsonl
: >"$RESULTS"
run() {  # name op files min max seed
  local name=$1 op=$2 files=$3 min=$4 max=$5 seed=$6
  "$BUILD/bench/drive-cluster-bench" --op "$op" --files "$files" --min-size "$min" \
    --max-size "$max" --parallel 8 --prefix "bench/$name-$seed/" --seed "$seed" |
    python3 -c 'import json,sys; j=json.loads(sys.stdin.read()); j["workload"]=sys.argv[1]; print(json.dumps(j))' "$name" \
    >>"$RESULTS"
  tail -1 "$RESULTS" >&2
}
for r in $(seq 1 "$RUNS"); do
  run a-4-8MiB put "$A_FILES" $((4 << 20)) $((8 << 20)) "$r"
  run a-4-8MiB get "$A_FILES" $((4 << 20)) $((8 << 20)) "$r"
  run b-100KiB put "$B_FILES" 102400 102400 "$r"
  run b-100KiB get "$B_FILES" 102400 102400 "$r"
done

echo "== memory: one $((BIG >> 20)) MiB file" >&2
head -c "$BIG" /dev/urandom >"$WORK/big.bin"
/usr/bin/time -f "%M" -o "$WORK/put.rss" "$BUILD/client/drive" put "$WORK/big.bin" bench/big.bin >&2
/usr/bin/time -f "%M" -o "$WORK/get.rss" "$BUILD/client/drive" get bench/big.bin "$WORK/big.out" >&2
cmp "$WORK/big.bin" "$WORK/big.out"
NODE_RSS=0
for p in "$CLUSTER"/nodes/*/pid; do
  kb=$(awk '/VmHWM/ {print $2}' "/proc/$(cat "$p")/status")
  if ((kb > NODE_RSS)); then NODE_RSS=$kb; fi
done

mkdir -p "$ROOT/bench/results"
STAMP=$(date +%Y-%m-%d)
if ((QUICK)); then STAMP=$STAMP-quick; fi
python3 - "$RESULTS" "$RAW_WRITE" "$RAW_READ" "$(tail -1 "$WORK/put.rss")" \
  "$(tail -1 "$WORK/get.rss")" "$NODE_RSS" "$((BIG >> 20))" "$RUNS" \
  "$ROOT/bench/results/cluster-$STAMP" <<'PY'
import json, statistics, sys
path, raw_w, raw_r, put_rss, get_rss, node_rss, big_mib, runs, out = sys.argv[1:]
raw_w, raw_r = float(raw_w), float(raw_r)
rows = [json.loads(l) for l in open(path)]
table = []
for wl in ("a-4-8MiB", "b-100KiB"):
    for op in ("put", "get"):
        rs = [r for r in rows if r["workload"] == wl and r["op"] == op]
        med = lambda k: statistics.median(r[k] for r in rs)
        mib = med("MiB_per_s")
        if op == "put":
            # 4-8 MiB chunks skip the WAL (each copy written once: raw/6);
            # 100 KiB chunks go through the synced WAL (twice: raw/12).
            ceiling = raw_w / (6 if wl.startswith("a") else 12)
            ratio = mib / ceiling
            ceil_txt = f"raw write / {6 if wl.startswith('a') else 12}"
        else:
            ceiling = raw_r
            ratio = mib / raw_r
            ceil_txt = "raw read (O_DIRECT)"
        table.append(dict(workload=wl, op=op, MiB_per_s=mib, files_per_s=med("files_per_s"),
                          p50_ms=med("p50_ms"), p99_ms=med("p99_ms"), ceiling=ceil_txt,
                          ceiling_MiB_per_s=ceiling, ratio=ratio, runs=len(rs),
                          failures=sum(r["failures"] for r in rs)))
report = dict(raw_write_MiB_per_s=raw_w, raw_read_MiB_per_s=raw_r, runs=int(runs), results=table,
              memory=dict(file_MiB=int(big_mib), client_put_max_rss_KiB=int(put_rss),
                          client_get_max_rss_KiB=int(get_rss), node_peak_rss_KiB=int(node_rss)),
              raw_rows=rows)
json.dump(report, open(out + ".json", "w"), indent=1)
md = [f"# Cluster benchmark ({runs} runs, medians)", "",
      f"Single machine, 3 nodes per region, 8 files in flight. Raw disk in the same run: "
      f"write {raw_w:.0f} MiB/s (fsync at end), read {raw_r:.0f} MiB/s (O_DIRECT). "
      "Downloads read what the upload just wrote (mostly page cache).", "",
      "| workload | op | MiB/s | files/s | p50 ms | p99 ms | ceiling | ratio |",
      "|---|---|---:|---:|---:|---:|---|---:|"]
for t in table:
    md.append(f"| {t['workload']} | {t['op']} | {t['MiB_per_s']:.0f} | {t['files_per_s']:.0f} | "
              f"{t['p50_ms']:.0f} | {t['p99_ms']:.0f} | {t['ceiling']} = {t['ceiling_MiB_per_s']:.0f} | "
              f"{100*t['ratio']:.0f}% |")
m = report["memory"]
md += ["", f"Memory with one {m['file_MiB']} MiB file: client max RSS put {m['client_put_max_rss_KiB']//1024} MiB, "
       f"get {m['client_get_max_rss_KiB']//1024} MiB; node peak RSS {m['node_peak_rss_KiB']//1024} MiB."]
open(out + ".md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
