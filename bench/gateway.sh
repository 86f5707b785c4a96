#!/usr/bin/env bash
# Gateway benchmark: wrk at 64 connections against the HTTP gateway of a
# single-machine cluster (3 nodes per region, release build) and, in the
# same run, against nginx serving the same files from a local directory
# (the practical ceiling of HTTP serving on this machine):
#   (a) GET of 100 KiB objects (gallery thumbnails), (b) GET of 4 MiB objects;
# each RUNS times, alternating gateway and nginx, medians; plus one run of
# each against a second gateway with the chunk cache off (every request
# fetches a verified copy from a node).
#
#   bench/gateway.sh [--quick] [--runs N] [--seconds S] [--dir DIR]
#
# Writes bench/results/gateway-<date>[-quick].{json,md}. Needs wrk and
# nginx (scripts/install-deps.sh --bench), python3; no network. Stops its
# cluster and nginx on exit.
set -euo pipefail
if [[ -z ${DRIVE_BENCH_LOCKED:-} ]]; then
  exec env DRIVE_BENCH_LOCKED=1 flock /tmp/drive-bench.lock "$0" "$@"
fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build/release}
BASE=${BENCH_DIR:-/var/tmp}
QUICK=0
RUNS=5
SECONDS_PER_RUN=10
while (($#)); do
  case $1 in
    --quick) QUICK=1; RUNS=1; SECONDS_PER_RUN=3 ;;
    --runs) RUNS=$2; shift ;;
    --seconds) SECONDS_PER_RUN=$2; shift ;;
    --dir) BASE=$2; shift ;;
    *) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
  shift
done
"$ROOT/scripts/install-deps.sh" --bench
for b in daemon/drived client/drive client/drive-admin; do
  [ -x "$BUILD/$b" ] || { echo "gateway.sh: build $BUILD/$b first (cmake --preset release && cmake --build build/release)" >&2; exit 2; }
done
WORK=$(mktemp -d "$BASE/drive-gateway-bench.XXXXXX")
chmod 755 "$WORK"
CLUSTER=$WORK/cluster
NGINX_PID=""
NOCACHE_PID=""
cleanup() {
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  [ -n "$NOCACHE_PID" ] && kill "$NOCACHE_PID" 2>/dev/null && wait "$NOCACHE_PID" 2>/dev/null
  "$ROOT/deploy/local-cluster.sh" down --dir "$CLUSTER" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
export DRIVE_BIN_DIR=$BUILD
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Objects: 100 KiB x 64 and 4 MiB x 16 (64 MiB, inside the default chunk
# cache), random bytes, the same files for both servers.
SMALL_N=64; LARGE_N=16
mkdir -p "$WORK/www/small" "$WORK/www/large"
python3 - "$WORK/www" "$SMALL_N" "$LARGE_N" <<'PY'
import os, sys
root, small, large = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(small):
    open(f"{root}/small/{i:03d}.jpg", "wb").write(b"\xff\xd8\xff\xe0" + os.urandom(102400 - 4))
for i in range(large):
    open(f"{root}/large/{i:03d}.jpg", "wb").write(b"\xff\xd8\xff\xe0" + os.urandom(4194304 - 4))
PY

echo "== cluster" >&2
"$ROOT/deploy/local-cluster.sh" up --dir "$CLUSTER" >&2
# shellcheck disable=SC1091
source "$CLUSTER/env"
"$BUILD/client/drive" put "$WORK/www/small/." bench/small/ >/dev/null
"$BUILD/client/drive" put "$WORK/www/large/." bench/large/ >/dev/null
GATEWAY_PORT=${DRIVE_GATEWAY##*:}

# The same gateway with the chunk cache off: every GET reads a verified
# copy from a storage node (the coordinator is still behind the manifest
# cache).
NOCACHE_PORT=$(free_port)
"$BUILD/daemon/drived" gateway --listen "127.0.0.1:$NOCACHE_PORT" \
  --coordinator "$DRIVE_COORDINATOR" --cluster-token-file "$CLUSTER/cluster-token" \
  --url-keys-file "$CLUSTER/url-keys" --region west --chunk-cache 0 \
  >"$WORK/nocache.log" 2>&1 &
NOCACHE_PID=$!

NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx/logs"
cat >"$WORK/nginx/nginx.conf" <<NGINX
worker_processes auto;
user root;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  open_file_cache max=1000 inactive=60s;
  types { image/jpeg jpg; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/www;
    etag on;
  }
}
NGINX
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
NGINX_PID=$!
for _ in $(seq 1 100); do
  curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT/small/000.jpg" &&
    curl -sf -o /dev/null "http://127.0.0.1:$NOCACHE_PORT/readyz" && break
  sleep 0.1
done

# wrk requests every object in turn; the gateway gets the account token.
cat >"$WORK/paths.lua" <<'LUA'
local prefix, count = os.getenv("WRK_PREFIX"), tonumber(os.getenv("WRK_COUNT"))
local token = os.getenv("WRK_TOKEN")
local i = 0
init = function(args) i = math.random(0, count - 1) end
request = function()
  i = (i + 1) % count
  local headers = {}
  if token ~= "" then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("GET", string.format("%s%03d.jpg", prefix, i), headers)
end
LUA

RESULTS=$WORK/results.jsonl
: >"$RESULTS"
# bench SERVER WORKLOAD PORT PREFIX COUNT TOKEN SECONDS
bench() {
  local server=$1 workload=$2 port=$3 prefix=$4 count=$5 token=$6 secs=$7
  WRK_PREFIX=$prefix WRK_COUNT=$count WRK_TOKEN=$token \
    wrk -t2 -c64 -d"${secs}s" --latency -s "$WORK/paths.lua" "http://127.0.0.1:$port" \
    >"$WORK/wrk.out" 2>&1
  python3 - "$server" "$workload" "$WORK/wrk.out" >>"$RESULTS" <<'PY'
import json, re, sys
server, workload, path = sys.argv[1:4]
text = open(path).read()
def num(pattern):
    m = re.search(pattern, text)
    return m.group(1), m.group(2) if m and m.lastindex > 1 else None
unit = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}
def latency(pct):
    m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
    return float(m.group(1)) * unit[m.group(2)]
req = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
m = re.search(r"(\d+) requests in ([\d.]+)(s|m), ([\d.]+)(KB|MB|GB) read", text)
requests, secs = int(m.group(1)), float(m.group(2)) * (60 if m.group(3) == "m" else 1)
mb = float(m.group(4)) * {"KB": 1 / 1024, "MB": 1, "GB": 1024}[m.group(5)]
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
print(json.dumps(dict(server=server, workload=workload, requests_per_s=req,
                      MiB_per_s=mb / secs, p50_ms=latency(50), p99_ms=latency(99),
                      requests=requests, non_2xx=int(errors.group(1)) if errors else 0,
                      socket_errors=sum(map(int, sock.groups())) if sock else 0)))
PY
  tail -1 "$RESULTS" >&2
}

echo "== warm-up (fills the chunk and manifest caches, and the page cache for nginx)" >&2
for w in small:$SMALL_N large:$LARGE_N; do
  bench warmup "${w%%:*}" "$GATEWAY_PORT" "/v1/demo/bench/${w%%:*}/" "${w##*:}" "$DRIVE_TOKEN" 2
  bench warmup "${w%%:*}" "$NGINX_PORT" "/${w%%:*}/" "${w##*:}" "" 2
done
for r in $(seq 1 "$RUNS"); do
  echo "== run $r of $RUNS" >&2
  bench gateway a-100KiB "$GATEWAY_PORT" /v1/demo/bench/small/ "$SMALL_N" "$DRIVE_TOKEN" "$SECONDS_PER_RUN"
  bench nginx a-100KiB "$NGINX_PORT" /small/ "$SMALL_N" "" "$SECONDS_PER_RUN"
  bench gateway b-4MiB "$GATEWAY_PORT" /v1/demo/bench/large/ "$LARGE_N" "$DRIVE_TOKEN" "$SECONDS_PER_RUN"
  bench nginx b-4MiB "$NGINX_PORT" /large/ "$LARGE_N" "" "$SECONDS_PER_RUN"
done
echo "== chunk cache off (verified copy from a node per request)" >&2
bench gateway-nocache a-100KiB "$NOCACHE_PORT" /v1/demo/bench/small/ "$SMALL_N" "$DRIVE_TOKEN" "$SECONDS_PER_RUN"
bench gateway-nocache b-4MiB "$NOCACHE_PORT" /v1/demo/bench/large/ "$LARGE_N" "$DRIVE_TOKEN" "$SECONDS_PER_RUN"
GATEWAY_RSS=$(awk '/VmHWM/ {print $2}' "/proc/$(cat "$CLUSTER/gateway/pid")/status")

mkdir -p "$ROOT/bench/results"
STAMP=$(date +%Y-%m-%d)
if ((QUICK)); then STAMP=$STAMP-quick; fi
python3 - "$RESULTS" "$RUNS" "$SECONDS_PER_RUN" "$GATEWAY_RSS" "$ROOT/bench/results/gateway-$STAMP" <<'PY'
import json, statistics, sys
path, runs, secs, rss_kib, out = sys.argv[1:]
rows = [json.loads(l) for l in open(path) if l.strip()]
def med(server, wl, key):
    vals = [r[key] for r in rows if r["server"] == server and r["workload"] == wl]
    return statistics.median(vals) if vals else None
table, targets = [], []
for wl, target_key, target in (("a-100KiB", "requests_per_s", 0.5), ("b-4MiB", "MiB_per_s", 0.6)):
    for server in ("gateway", "nginx", "gateway-nocache"):
        if med(server, wl, "requests_per_s") is None:
            continue
        table.append(dict(workload=wl, server=server,
                          requests_per_s=med(server, wl, "requests_per_s"),
                          MiB_per_s=med(server, wl, "MiB_per_s"),
                          p50_ms=med(server, wl, "p50_ms"), p99_ms=med(server, wl, "p99_ms"),
                          errors=sum(r["non_2xx"] + r["socket_errors"] for r in rows
                                     if r["server"] == server and r["workload"] == wl)))
    g, n = med("gateway", wl, target_key), med("nginx", wl, target_key)
    targets.append(dict(workload=wl, metric=target_key, gateway=g, nginx=n, ratio=g / n,
                        target=target, met=g / n >= target))
report = dict(runs=int(runs), seconds_per_run=int(secs), connections=64, wrk_threads=2,
              gateway_peak_rss_KiB=int(rss_kib), results=table, targets=targets, raw_rows=rows)
json.dump(report, open(out + ".json", "w"), indent=1)
nginx = {t["workload"]: t for t in table if t["server"] == "nginx"}
md = [f"# Gateway benchmark ({runs} runs of {secs} s, medians)", "",
      "Single machine (2 cores shared by wrk, nginx or the gateway, 6 storage nodes and the "
      "coordinator), wrk -t2 -c64, every object in turn; 64 x 100 KiB and 16 x 4 MiB objects. "
      "Gateway: bearer token, manifests and verified chunks from its caches after the warm-up. "
      "nginx: the same files from a local directory (sendfile, page cache). "
      "gateway-nocache: chunk cache off, one verified chunk read from a storage node per request (1 run).", "",
      "| workload | server | req/s | MiB/s | p50 ms | p99 ms | errors | vs nginx |",
      "|---|---|---:|---:|---:|---:|---:|---:|"]
for t in table:
    base = nginx[t["workload"]]
    key = "requests_per_s" if t["workload"].startswith("a") else "MiB_per_s"
    md.append(f"| {t['workload']} | {t['server']} | {t['requests_per_s']:.0f} | {t['MiB_per_s']:.0f} | "
              f"{t['p50_ms']:.2f} | {t['p99_ms']:.2f} | {t['errors']} | {100 * t[key] / base[key]:.0f}% |")
md += ["", "| target | gateway | nginx | ratio | met |", "|---|---:|---:|---:|---|"]
for t in targets:
    what = "req/s, 100 KiB" if t["metric"] == "requests_per_s" else "MiB/s, 4 MiB"
    md.append(f"| >= {100 * t['target']:.0f}% of nginx {what} | {t['gateway']:.0f} | {t['nginx']:.0f} | "
              f"{100 * t['ratio']:.0f}% | {'yes' if t['met'] else 'NO'} |")
md += ["", f"Gateway peak RSS: {int(rss_kib) // 1024} MiB (chunk cache budget 256 MiB)."]
open(out + ".md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
