#!/usr/bin/env bash
# Lists the longest functions of the product's .cc files (daemon, common,
# client, tools; not tests), longest first, as "LINES FILE:LINE SIGNATURE".
# Relies on the Google style clang-format keeps: a function definition
# starts in column 0 and ends at the next line that is exactly "}"; the
# count includes both.
#
#   scripts/longest-functions.sh [N]    # default: the 10 longest
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
n=${1:-10}
git ls-files 'daemon/*.cc' 'common/*.cc' 'client/*.cc' 'tools/*.cc' |
  xargs awk '
    FNR == 1 { start = 0 }
    start == 0 && /^[A-Za-z_].*\(/ && !/^(namespace|using|class|struct|enum|template|static_assert|#)/ &&
      !/;[[:space:]]*$/ { start = FNR; sig = $0; next }
    start > 0 && /^}[[:space:]]*$/ {
      printf "%d %s:%d %s\n", FNR - start + 1, FILENAME, start, sig
      start = 0
    }
    start > 0 && /^}  \/\/ namespace/ { start = 0 }
  ' | sort -rn | head -n "$n"
