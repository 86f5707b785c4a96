#!/usr/bin/env bash
# A Drive cluster on this machine, as separate processes on 127.0.0.1:
# one coordinator, N storage nodes per region (regions west and east, one
# drive each) and an HTTP gateway, with all data under one directory.
#
#   deploy/local-cluster.sh up [--dir DIR] [--nodes-per-region N] [--pg-count N]
#                              [--down-after DUR] [--out-after DUR]
#                              [--coordinator-flags "..."] [--node-flags "..."]
#                              [--gateway-port PORT]
#   deploy/local-cluster.sh status [--dir DIR]
#   deploy/local-cluster.sh stop-node NAME [--kill] [--dir DIR]
#   deploy/local-cluster.sh start-node NAME [--dir DIR]
#   deploy/local-cluster.sh stop-coordinator [--kill] [--dir DIR]
#   deploy/local-cluster.sh start-coordinator [--dir DIR]  (same port as before)
#   deploy/local-cluster.sh down [--purge] [--dir DIR]
#
# DIR defaults to $DRIVE_CLUSTER_DIR or /tmp/drive-cluster. `up` writes
# DIR/env with export lines for DRIVE_COORDINATOR, DRIVE_GATEWAY (the
# gateway's base URL), DRIVE_ACCOUNT, DRIVE_TOKEN and DRIVE_ADMIN_TOKEN
# (read by `drive` and `drive-admin`). The gateway's signed-URL key is in
# DIR/url-keys, its log in DIR/gateway/log; PORT 0 (default) picks one.
# Binaries come from $DRIVE_BIN_DIR, else the first of build/{release,ci,dev}
# that has them.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-}
[ $# -gt 0 ] && shift
DIR=${DRIVE_CLUSTER_DIR:-/tmp/drive-cluster}
NPR=3
PG_COUNT=1024
DOWN_AFTER=10s
OUT_AFTER=10m
GATEWAY_PORT=0
KILL=0
PURGE=0
NAME=""
COORD_FLAGS=""
NODE_FLAGS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) DIR=$2; shift 2 ;;
    --nodes-per-region) NPR=$2; shift 2 ;;
    --pg-count) PG_COUNT=$2; shift 2 ;;
    --down-after) DOWN_AFTER=$2; shift 2 ;;
    --out-after) OUT_AFTER=$2; shift 2 ;;
    --coordinator-flags) COORD_FLAGS=$2; shift 2 ;;
    --node-flags) NODE_FLAGS=$2; shift 2 ;;
    --gateway-port) GATEWAY_PORT=$2; shift 2 ;;
    --kill) KILL=1; shift ;;
    --purge) PURGE=1; shift ;;
    -*) echo "local-cluster: unknown option $1" >&2; exit 2 ;;
    *) NAME=$1; shift ;;
  esac
done
case "$DIR" in *" "*) echo "local-cluster: DIR must not contain spaces" >&2; exit 2 ;; esac
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

find_bin() {
  local candidates=()
  [ -n "${DRIVE_BIN_DIR:-}" ] && candidates+=("$DRIVE_BIN_DIR")
  candidates+=("$ROOT/build/release" "$ROOT/build/ci" "$ROOT/build/dev")
  for d in "${candidates[@]}"; do
    if [ -x "$d/daemon/drived" ] && [ -x "$d/client/drive-admin" ]; then
      echo "$d"; return 0
    fi
  done
  echo "local-cluster: no built drived/drive-admin found; build first (cmake --preset release && cmake --build build/release)" >&2
  return 1
}

# Waits up to $2 seconds for the ready file $1; prints its port $3
# (default grpc_port).
wait_ready() {
  local file=$1 limit=$2 key=${3:-grpc_port} i=0
  while [ $i -lt $((limit * 10)) ]; do
    if [ -s "$file" ]; then
      python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$file" "$key"
      return 0
    fi
    sleep 0.1; i=$((i + 1))
  done
  return 1
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Launches a node in the background; wait_node waits until it serves.
launch_node() {
  local name=$1 ndir="$DIR/nodes/$1"
  alive "$ndir/pid" && { echo "node $name already runs"; return 0; }
  rm -f "$ndir/ready.json"
  # shellcheck disable=SC2046
  nohup $(cat "$ndir/cmd") >>"$ndir/log" 2>&1 &
  echo $! >"$ndir/pid"
}

wait_node() {
  local ndir="$DIR/nodes/$1"
  wait_ready "$ndir/ready.json" 30 >/dev/null || {
    echo "local-cluster: node $1 did not start; see $ndir/log" >&2; tail -5 "$ndir/log" >&2; return 1; }
}

start_node() { launch_node "$1" && wait_node "$1"; }

# Starts the coordinator from DIR/coordinator/cmd listening on $1 and records
# its address (the first start picks a free port; restarts reuse it, so the
# nodes' --coordinator stays right).
start_coordinator() {
  local listen=$1
  rm -f "$DIR/coordinator/ready.json"
  # shellcheck disable=SC2046
  nohup $(cat "$DIR/coordinator/cmd") --listen "$listen" >>"$DIR/coordinator/log" 2>&1 &
  echo $! >"$DIR/coordinator/pid"
  local port
  port=$(wait_ready "$DIR/coordinator/ready.json" 30) || {
    echo "local-cluster: coordinator did not start; see $DIR/coordinator/log" >&2; return 1; }
  echo "127.0.0.1:$port" >"$DIR/coordinator/address"
}

stop_pidfile() {
  local pidfile=$1 sig=$2
  alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  local pid; pid=$(cat "$pidfile")
  kill -"$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

case "$cmd" in
  up)
    BIN=$(find_bin)
    if alive "$DIR/coordinator/pid"; then
      echo "local-cluster: a cluster already runs in $DIR (deploy/local-cluster.sh down --dir $DIR)" >&2
      exit 1
    fi
    mkdir -p "$DIR/coordinator" "$DIR/nodes" "$DIR/gateway"
    umask 077
    [ -s "$DIR/cluster-token" ] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DIR/cluster-token"
    [ -s "$DIR/admin-token" ] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DIR/admin-token"
    [ -s "$DIR/url-keys" ] || echo "k1 $(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$DIR/url-keys"
    umask 022
    echo "$BIN/daemon/drived coordinator --metrics-listen 127.0.0.1:0" \
         "--data $DIR/coordinator/db --regions west,east --pg-count $PG_COUNT" \
         "--down-after $DOWN_AFTER --out-after $OUT_AFTER" \
         "--admin-token-file $DIR/admin-token --cluster-token-file $DIR/cluster-token" \
         "--ready-file $DIR/coordinator/ready.json $COORD_FLAGS" >"$DIR/coordinator/cmd"
    start_coordinator 127.0.0.1:0
    COORD=$(cat "$DIR/coordinator/address")
    zones=(a b c)
    for region in west east; do
      prefix=${region:0:1}
      for i in $(seq 1 "$NPR"); do
        name=$prefix$i
        ndir="$DIR/nodes/$name"
        mkdir -p "$ndir"
        zone="$region-${zones[$(((i - 1) % 3))]}"
        echo "$BIN/daemon/drived node --name $name --region $region --zone $zone --host $name" \
             "--coordinator $COORD --drive d0=$ndir/d0 --listen 127.0.0.1:0" \
             "--metrics-listen 127.0.0.1:0 --pg-count $PG_COUNT --reserve 256MiB" \
             "--cluster-token-file $DIR/cluster-token --ready-file $ndir/ready.json" \
             "$NODE_FLAGS" >"$ndir/cmd"
        launch_node "$name"
      done
    done
    for ndir in "$DIR"/nodes/*/; do wait_node "$(basename "$ndir")"; done
    export DRIVE_COORDINATOR=$COORD DRIVE_ADMIN_TOKEN=$(cat "$DIR/admin-token")
    if ! "$BIN/client/drive-admin" status --wait-healthy 60 >/dev/null; then
      echo "local-cluster: cluster did not become healthy; see logs under $DIR" >&2
      "$BIN/client/drive-admin" status >&2 || true
      exit 1
    fi
    if [ ! -s "$DIR/demo-token" ]; then
      "$BIN/client/drive-admin" account create demo >"$DIR/demo-token"
    fi
    rm -f "$DIR/gateway/ready.json"
    nohup "$BIN/daemon/drived" gateway --listen "127.0.0.1:$GATEWAY_PORT" --coordinator "$COORD" \
      --cluster-token-file "$DIR/cluster-token" --url-keys-file "$DIR/url-keys" \
      --region west --ready-file "$DIR/gateway/ready.json" >>"$DIR/gateway/log" 2>&1 &
    echo $! >"$DIR/gateway/pid"
    GPORT=$(wait_ready "$DIR/gateway/ready.json" 30 http_port) || {
      echo "local-cluster: gateway did not start; see $DIR/gateway/log" >&2; tail -5 "$DIR/gateway/log" >&2; exit 1; }
    cat >"$DIR/env" <<ENV
export DRIVE_CLUSTER_DIR=$DIR
export DRIVE_COORDINATOR=$COORD
export DRIVE_GATEWAY=http://127.0.0.1:$GPORT
export DRIVE_ACCOUNT=demo
export DRIVE_TOKEN=$(cat "$DIR/demo-token")
export DRIVE_ADMIN_TOKEN=$(cat "$DIR/admin-token")
export DRIVE_CLUSTER_TOKEN_FILE=$DIR/cluster-token
export PATH=$BIN/client:$BIN/daemon:\$PATH
ENV
    echo "cluster up: coordinator $COORD, $((2 * NPR)) nodes, gateway http://127.0.0.1:$GPORT, data in $DIR"
    echo "use it:  source $DIR/env && drive ls"
    ;;
  status)
    BIN=$(find_bin)
    [ -f "$DIR/env" ] || { echo "local-cluster: no cluster in $DIR" >&2; exit 1; }
    # shellcheck disable=SC1091
    source "$DIR/env"
    for p in "$DIR"/coordinator/pid "$DIR"/gateway/pid "$DIR"/nodes/*/pid; do
      [ -e "$p" ] || continue
      what=$(basename "$(dirname "$p")")
      if alive "$p"; then echo "$what: running (pid $(cat "$p"))"; else echo "$what: stopped"; fi
    done
    "$BIN/client/drive-admin" status
    ;;
  stop-node)
    [ -n "$NAME" ] && [ -d "$DIR/nodes/$NAME" ] || { echo "local-cluster: no node '$NAME' in $DIR" >&2; exit 2; }
    if [ "$KILL" = 1 ]; then stop_pidfile "$DIR/nodes/$NAME/pid" 9; else stop_pidfile "$DIR/nodes/$NAME/pid" TERM; fi
    echo "node $NAME stopped"
    ;;
  start-node)
    [ -n "$NAME" ] && [ -f "$DIR/nodes/$NAME/cmd" ] || { echo "local-cluster: no node '$NAME' in $DIR" >&2; exit 2; }
    start_node "$NAME"
    echo "node $NAME started"
    ;;
  stop-coordinator)
    if [ "$KILL" = 1 ]; then stop_pidfile "$DIR/coordinator/pid" 9; else stop_pidfile "$DIR/coordinator/pid" TERM; fi
    echo "coordinator stopped"
    ;;
  start-coordinator)
    [ -f "$DIR/coordinator/cmd" ] && [ -f "$DIR/coordinator/address" ] || {
      echo "local-cluster: no coordinator in $DIR" >&2; exit 2; }
    alive "$DIR/coordinator/pid" && { echo "coordinator already runs"; exit 0; }
    start_coordinator "$(cat "$DIR/coordinator/address")"
    echo "coordinator started on $(cat "$DIR/coordinator/address")"
    ;;
  down)
    [ -e "$DIR/gateway/pid" ] && stop_pidfile "$DIR/gateway/pid" TERM
    # Signal every node first and then wait, so shutdowns overlap.
    for p in "$DIR"/nodes/*/pid; do
      [ -e "$p" ] && alive "$p" && kill -TERM "$(cat "$p")" 2>/dev/null || true
    done
    for p in "$DIR"/nodes/*/pid; do [ -e "$p" ] && stop_pidfile "$p" TERM; done
    [ -e "$DIR/coordinator/pid" ] && stop_pidfile "$DIR/coordinator/pid" TERM
    if [ "$PURGE" = 1 ]; then rm -rf "$DIR"; echo "cluster stopped; $DIR removed"; else echo "cluster stopped; data kept in $DIR"; fi
    ;;
  *)
    sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
