# shellcheck shell=bash
# Shared helpers of the bench/ scripts (sourced, not run). Needs fio and
# python3.

# Runs one fio job (4 MiB blocks, one job, psync) on FILE of SIZE and prints
# its MiB/s for direction RW (read or write): bytes over the job's runtime,
# which includes a final fsync, so --end_fsync figures are durable ones.
#   bench_fio FILE SIZE RW [fio options...]
bench_fio() {
  local file=$1 size=$2 rw=$3
  shift 3
  fio --name=raw --filename="$file" --bs=4M --size="$size" --ioengine=psync \
    --output-format=json "$@" >"$file.json"
  python3 - "$file.json" "$rw" <<'EOF'
import json, sys
job = json.load(open(sys.argv[1]))["jobs"][0]
print(round(job[sys.argv[2]]["io_bytes"] / (job["job_runtime"] / 1000) / 2**20, 1))
EOF
  rm -f "$file.json"
}

# The first big buffered write after an idle spell runs at a fraction of
# the later speed while the VM hands memory back to the page cache
# (PLATFORM.md); an unmeasured write of SIZE warms it up.
#   bench_fio_warmup FILE SIZE
bench_fio_warmup() {
  fio --name=warmup --filename="$1" --bs=4M --size="$2" --ioengine=psync \
    --rw=write --end_fsync=1 --output-format=terse >/dev/null
  rm -f "$1"
}

# Whether this process may drop the page cache (root, not in a container
# that forbids it). Drops it once as a side effect.
bench_can_drop_caches() {
  sync && echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
}

bench_drop_caches() {
  sync
  echo 3 >/proc/sys/vm/drop_caches
}

# Dies unless DIR is on a real disk with at least GIB GiB free.
#   bench_check_dir SCRIPT DIR GIB
bench_check_dir() {
  local fstype free_gib
  mkdir -p "$2"
  fstype=$(df --output=fstype "$2" | tail -1 | tr -d ' ')
  case $fstype in
    tmpfs | ramfs)
      echo "$1: $2 is on $fstype; pass --dir or BENCH_DIR on a disk" >&2
      exit 1
      ;;
  esac
  free_gib=$(($(df --output=avail -k "$2" | tail -1) / 1024 / 1024))
  if ((free_gib < $3)); then
    echo "$1: $2 has $free_gib GiB free; need $3 GiB" >&2
    exit 1
  fi
}
