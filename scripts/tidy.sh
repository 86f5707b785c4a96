#!/usr/bin/env bash
# Runs clang-tidy (checks in .clang-tidy; every finding is an error) on the
# .cc files changed since BASE (since where HEAD left it: a branch's own
# changes), including uncommitted changes, with the
# flags of build/ci's compile_commands.json. Fast: only those files, in
# parallel. Files that build/ci does not compile (fuzz targets) are
# skipped. Needs a built build/ci (generated protobuf headers).
#
#   scripts/tidy.sh [BASE]    # BASE: a commit; default HEAD~1
#
# DRIVE_TIDY_BUILD overrides the build directory (default build/ci).
set -euo pipefail
cd "$(dirname "$0")/.."

base=${1:-HEAD~1}
build=${DRIVE_TIDY_BUILD:-build/ci}
tidy=$(command -v clang-tidy-14 || command -v clang-tidy || true)
if [ -z "$tidy" ]; then
  echo "tidy.sh: clang-tidy not found (scripts/install-deps.sh installs it)" >&2
  exit 2
fi
if [ ! -f "$build/compile_commands.json" ]; then
  echo "tidy.sh: no $build/compile_commands.json (cmake --preset ci)" >&2
  exit 2
fi
if ! git rev-parse -q --verify "$base^{commit}" >/dev/null; then
  echo "tidy.sh: $base is not a commit" >&2
  exit 2
fi

files=()
while IFS= read -r f; do
  if grep -qF "\"file\": \"$PWD/$f\"" "$build/compile_commands.json"; then
    files+=("$f")
  fi
done < <(git diff --name-only --diff-filter=d "$(git merge-base "$base" HEAD)" -- '*.cc')
if [ ${#files[@]} -eq 0 ]; then
  echo "tidy.sh: no compiled .cc file changed since $base"
  exit 0
fi

echo "tidy.sh: ${#files[@]} file(s) changed since $base"
# clang-tidy counts the compiler warnings it suppressed; drop that noise.
printf '%s\0' "${files[@]}" |
  xargs -0 -n 1 -P "$(nproc)" "$tidy" -p "$build" --quiet 2>&1 |
  sed '/^[0-9]* warnings\{0,1\} generated\.$/d'
echo "tidy.sh: clean"
