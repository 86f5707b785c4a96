#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`: clang, ASan + UBSan) and runs
# each over its seed corpus in tests/fuzz/corpus/<target>/ for a bounded
# number of inputs or seconds. Fails if any target crashes, leaks, hits
# undefined behaviour or breaks one of its invariants; the input that did
# it is saved as build/fuzz/artifacts/<target>/crash-* (replay: run the
# target binary with that file as its argument).
#
#   scripts/fuzz.sh [--runs N | --time S] [TARGET...] [-- LIBFUZZER_ARGS...]
#
# --runs N   inputs per target (scripts/test.sh uses a small N)
# --time S   seconds per target (default: --time 60, for runs by hand)
# TARGET     run only these (default: all, see tests/fuzz/CMakeLists.txt)
#
# Inputs that found new coverage go to build/fuzz/corpus/<target>/, never
# to the committed corpus. To keep a few, merge them in:
#   build/fuzz/tests/fuzz/T -merge=1 tests/fuzz/corpus/T build/fuzz/corpus/T
set -euo pipefail
cd "$(dirname "$0")/.."

limit=(-max_total_time=60)
targets=()
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) limit=(-runs="$2"); shift 2 ;;
    --time) limit=(-max_total_time="$2"); shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if [ ${#targets[@]} -eq 0 ]; then
  for dir in tests/fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
fi

cmake --preset fuzz >/dev/null
cmake --build build/fuzz -j"$(nproc)" --target "${targets[@]}"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=()
for t in "${targets[@]}"; do
  new=build/fuzz/corpus/$t
  artifacts=build/fuzz/artifacts/$t
  mkdir -p "$new" "$artifacts"
  start=$(date +%s)
  # New inputs go to the first directory; the committed seeds are read only.
  if build/fuzz/tests/fuzz/"$t" "${limit[@]}" -timeout=25 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "${extra[@]}" "$new" tests/fuzz/corpus/"$t" \
      >build/fuzz/"$t".log 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' build/fuzz/"$t".log)
    cov=$(grep -o 'cov: [0-9]*' build/fuzz/"$t".log | tail -1)
    echo "fuzz: $t ok, $runs inputs in $(($(date +%s) - start)) s, $cov"
  else
    tail -40 build/fuzz/"$t".log
    echo "fuzz: $t FAILED (log build/fuzz/$t.log, input in $artifacts/)"
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
