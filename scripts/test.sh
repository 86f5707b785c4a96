#!/usr/bin/env bash
# Installs what is missing, builds with -Werror, runs the unit and
# integration tests, then the unit tests again under ASan + UBSan.
# Usage: scripts/test.sh [--no-asan]
set -euo pipefail
cd "$(dirname "$0")/.."

asan=1
[ "${1:-}" = "--no-asan" ] && asan=0

# Chromium for the gallery browser test (an integration test).
scripts/install-deps.sh --browser
jobs=$(nproc)

echo "== format check"
if command -v clang-format >/dev/null; then
  files=$(git ls-files '*.cc' '*.h' 2>/dev/null || true)
  if [ -n "$files" ] && ! clang-format --dry-run --Werror $files 2>/tmp/drive-format.log; then
    head -40 /tmp/drive-format.log
    echo "clang-format found unformatted files (run: clang-format -i \$(git ls-files '*.cc' '*.h'))"
    exit 1
  fi
fi

echo "== build (ci preset: RelWithDebInfo, -Werror)"
cmake --preset ci >/dev/null
cmake --build build/ci -j"$jobs"

echo "== unit + integration tests"
ctest --test-dir build/ci --output-on-failure -j"$jobs" -L 'unit|integration'

if [ "$asan" = 1 ]; then
  echo "== unit tests under ASan + UBSan"
  cmake --preset asan >/dev/null
  # Only the unit test binaries: the integration tests spawn the regular
  # daemon, and uninstrumented system libraries make a full ASan build slow.
  cmake --build build/asan -j"$jobs" --target common_test storage_test coordinator_test client_test gateway_test
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build/asan --output-on-failure -j"$jobs" -L unit
fi
echo "== all tests passed"
