#!/usr/bin/env bash
# Installs what is missing, checks formatting, builds with -Werror, runs
# clang-tidy on the .cc files of the last commit (scripts/tidy.sh) and
# the unit and integration tests; then, built with clang (thread-safety
# analysis, unused absl::Status results as errors) under ASan + UBSan, the
# unit tests and the gateway and node integration tests against an
# instrumented drived; then each libFuzzer target over its corpus for a
# bounded number of inputs. Prints how long each phase took (CI budget:
# ~40 minutes on two cores).
# Usage: scripts/test.sh [--no-asan] [--no-fuzz]
set -euo pipefail
cd "$(dirname "$0")/.."

asan=1
fuzz=1
for arg in "$@"; do
  case "$arg" in
    --no-asan) asan=0 ;;
    --no-fuzz) fuzz=0 ;;
    *) echo "test.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

# Chromium for the gallery browser test (an integration test); clang for
# the ASan build, and with libFuzzer for the fuzz targets.
deps=(--browser)
if [ "$asan" = 1 ]; then deps+=(--clang); fi
if [ "$fuzz" = 1 ]; then deps+=(--fuzz); fi
scripts/install-deps.sh "${deps[@]}"
jobs=$(nproc)

# Phase timing, printed at the end whether or not the run passed.
timings=()
phase_name=""
phase_start=$SECONDS
phase() {
  if [ -n "$phase_name" ]; then
    timings+=("$(printf '%6ds  %s' $((SECONDS - phase_start)) "$phase_name")")
  fi
  phase_name="$1"
  phase_start=$SECONDS
  if [ -n "$1" ]; then echo "== $1"; fi
}
report() {
  phase ""
  echo "== time per phase"
  printf '%s\n' "${timings[@]}"
  printf '%6ds  total\n' "$SECONDS"
}
trap report EXIT

phase "format check"
if command -v clang-format >/dev/null; then
  files=$(git ls-files '*.cc' '*.h' 2>/dev/null || true)
  if [ -n "$files" ] && ! clang-format --dry-run --Werror $files 2>/tmp/drive-format.log; then
    head -40 /tmp/drive-format.log
    echo "clang-format found unformatted files (run: clang-format -i \$(git ls-files '*.cc' '*.h'))"
    exit 1
  fi
fi

phase "build (ci preset: RelWithDebInfo, -Werror)"
cmake --preset ci >/dev/null
cmake --build build/ci -j"$jobs"

phase "clang-tidy on the .cc files changed by the last commit"
if git rev-parse -q --verify 'HEAD~1^{commit}' >/dev/null; then
  scripts/tidy.sh HEAD~1
else
  echo "no previous commit (shallow clone?): skipped"
fi

phase "unit + integration tests"
ctest --test-dir build/ci --output-on-failure -j"$jobs" -L 'unit|integration'

if [ "$asan" = 1 ]; then
  phase "clang build under ASan + UBSan, -Wthread-safety (unit tests; drived and the gateway, node and RPC integration tests)"
  cmake --preset asan >/dev/null
  # The cluster and repair integration tests stay out: they are most of the
  # integration time uninstrumented (~2 of ~2.3 minutes), and their waits
  # (out-after, repair sweeps) are tuned for an optimized build.
  cmake --build build/asan -j"$jobs" --target common_test storage_test \
    coordinator_test client_test gateway_test meta_store_test rpc_test \
    repair_test \
    drived drive drive-admin \
    node_integration_test gateway_integration_test rpc_integration_test

  # Reports go to files, so that one from a daemon (whose stderr is a log
  # in a temporary directory) fails the run too. Leak checking stays on:
  # the daemons exit cleanly on SIGTERM and need no suppressions.
  logs=$PWD/build/asan/sanitizer-logs
  rm -rf "$logs"
  mkdir -p "$logs"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:log_path=$logs/asan
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan
  sanitized() {
    local rc=0
    ctest --test-dir build/asan --output-on-failure -j"$jobs" "$@" || rc=$?
    if compgen -G "$logs/*" >/dev/null; then
      head -n 60 "$logs"/*
      echo "sanitizer reports above (all in $logs)"
      rc=1
    fi
    return $rc
  }

  phase "unit tests under ASan + UBSan"
  sanitized -L unit

  phase "gateway, node and RPC integration tests under ASan + UBSan"
  # The fixtures start the daemons of their own build directory
  # (DRIVE_BINARY_DIR), here the instrumented drived.
  sanitized -R '^(NodeIntegrationTest\.|gateway_integration_test$|rpc_integration_test$)'
  unset ASAN_OPTIONS UBSAN_OPTIONS
fi

if [ "$fuzz" = 1 ]; then
  phase "fuzz targets (clang, ASan + UBSan, bounded runs)"
  scripts/fuzz.sh --runs 100000
fi
phase ""
echo "== all tests passed"
