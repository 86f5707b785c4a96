#!/usr/bin/env bash
# Runs the README's "Quick start" block as written against a local cluster
# of its own, so the first commands a newcomer types keep working.
#
# Usage: readme_quickstart_test.sh SOURCE_DIR BINARY_DIR
#
# The block is taken from README.md between "## Quick start" and the end of
# its code fence. Three lines are environment, not usage, and are adapted:
# `scripts/run.sh` (install and build) becomes `local-cluster.sh up` in a
# temporary directory, /tmp/drive-cluster becomes that directory, and the
# final `down` is left to this script's cleanup. HOME is a temporary
# directory holding ~/Pictures/smith/ (the sample photos plus an
# IMG_0001.CR3), and `drive get ... /tmp/` writes into a temporary
# directory instead of the real /tmp. Every other line runs unchanged
# under `set -e`; then the results are checked.
set -euo pipefail
SRC=$1
BIN=$2
WORK=$(mktemp -d)
CLUSTER=$WORK/cluster
export DRIVE_BIN_DIR=$BIN
cleanup() {
  "$SRC/deploy/local-cluster.sh" down --dir "$CLUSTER" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "readme_quickstart_test: $*" >&2; exit 1; }

# The shoot a photographer would have.
export HOME=$WORK/home
mkdir -p "$HOME/Pictures/smith" "$WORK/get"
cp "$SRC"/data/photos/* "$HOME/Pictures/smith/"
head -c 300000 /dev/urandom >"$HOME/Pictures/smith/IMG_0001.CR3"

# The block, adapted as described above.
BLOCK=$(awk '/^## Quick start/ {on = 1; next}
             on && /^```/ {if (fence++) exit; next}
             on && fence {print}' "$SRC/README.md")
[ -n "$BLOCK" ] || fail "no quick start block in README.md"
grep -q '^drive put ' <<<"$BLOCK" || fail "the quick start has no drive put"
SCRIPT=$WORK/quickstart.sh
{
  echo 'set -euo pipefail'
  echo "export PATH=$BIN/client:\$PATH"
  while IFS= read -r line; do
    case "$line" in
      scripts/run.sh*)
        echo "'$SRC/deploy/local-cluster.sh' up --dir '$CLUSTER' --pg-count 32"
        ;;
      deploy/local-cluster.sh\ down*) ;;
      *)
        line=${line//\/tmp\/drive-cluster/$CLUSTER}
        if [[ $line == "drive get "* ]]; then
          line=${line/% \/tmp\// $WORK/get/}
        fi
        echo "$line"
        ;;
    esac
  done <<<"$BLOCK"
} >"$SCRIPT"
echo "== running the README's quick start:"
cat "$SCRIPT"
cd "$SRC"
bash "$SCRIPT" >"$WORK/out" 2>&1 || {
  cat "$WORK/out"
  fail "a quick start line failed"
}
cat "$WORK/out"

# What the lines promise: the contents of smith/ sit directly under the
# session, stat finds the file, and get brings back the same bytes.
grep -q '"path": *"sessions/2026-11-28-smith/IMG_0001.CR3"' "$WORK/out" ||
  fail "drive stat did not show sessions/2026-11-28-smith/IMG_0001.CR3"
cmp "$HOME/Pictures/smith/IMG_0001.CR3" "$WORK/get/IMG_0001.CR3" ||
  fail "drive get did not bring back the uploaded bytes"
# shellcheck disable=SC1091
source "$CLUSTER/env"
LISTING=$(drive ls sessions/2026-11-28-smith/)
grep -q 'Aqua.jpg' <<<"$LISTING" || fail "the photos are not in the session"
if grep -q 'smith/smith' <<<"$LISTING"; then
  fail "the directory was nested under its own name"
fi
echo "readme_quickstart_test: ok"
