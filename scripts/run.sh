#!/usr/bin/env bash
# Main job: installs what is missing, builds a release, starts a storage
# node on 127.0.0.1 with one drive under ${DRIVE_DIR:-/tmp/drive-demo},
# stores and reads back the sample photos through it, and prints its
# status. The node keeps running; the last lines say how to stop it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build build/release -j"$(nproc)" --target drived drive-bench
exec scripts/demo-node.sh
