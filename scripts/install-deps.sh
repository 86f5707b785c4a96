#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build, test, benchmark and
# run Drive. Idempotent; prints nothing when everything is present. Needs
# root (or sudo) only when something is missing.
#
#   scripts/install-deps.sh [--browser] [--bench] [--clang] [--fuzz]
#
# --browser adds headless Chromium (the gallery browser test, run by
# scripts/test.sh); --bench adds wrk and nginx (bench/gateway.sh); --clang
# adds clang (the `asan` preset's compiler); --fuzz adds clang and its
# runtime libraries (libclang_rt.fuzzer, for scripts/fuzz.sh). The base set
# includes clang-tidy (scripts/tidy.sh).
set -euo pipefail

BROWSER_PACKAGES=(chromium)
BENCH_PACKAGES=(wrk nginx-light)
CLANG_PACKAGES=(clang libclang-rt-14-dev)  # the sanitizer runtimes are only recommended by clang
FUZZ_PACKAGES=(clang libclang-rt-14-dev)

PACKAGES=(
  build-essential cmake ninja-build pkg-config clang-format clang-tidy-14
  librocksdb-dev libxxhash-dev libzstd-dev
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libboost-dev libabsl-dev libspdlog-dev libcli11-dev nlohmann-json3-dev
  libssl-dev libgtest-dev libgmock-dev
  etcd-server etcd-client
  fio curl python3 procps time
)

for arg in "$@"; do
  case "$arg" in
    --browser) PACKAGES+=("${BROWSER_PACKAGES[@]}") ;;
    --bench) PACKAGES+=("${BENCH_PACKAGES[@]}") ;;
    --clang) PACKAGES+=("${CLANG_PACKAGES[@]}") ;;
    --fuzz) PACKAGES+=("${FUZZ_PACKAGES[@]}") ;;
    *) echo "install-deps: unknown option $arg" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
