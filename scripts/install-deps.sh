#!/usr/bin/env bash
# Installs exactly the Debian 12 packages kerjasosial needs to build, test and
# run. Idempotent: quiet and quick when everything is already there.
# Usage (as root, or with sudo available): scripts/install-deps.sh
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config git ca-certificates
  # libraries (headers + CMake configs)
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libhiredis-dev libssl-dev
  # reporting's dashboard: HTTP server, and Chart.js served locally (no CDN)
  libcpp-httplib-dev libjs-chart.js
  # audit checkpoint keys (openssl genpkey), also used by the tests
  openssl
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # the dashboard's browser test (headless)
  chromium
  # the datastore, and its CLI for the local stack
  redis-server redis-tools
  # the stack's health/reflection probe (scripts/probe.py)
  python3 python3-grpcio python3-protobuf
  # formatting (scripts/format.sh)
  clang-format
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts redis-server as a system service on install; the stack and the
# tests run their own instances on free ports, so the system one is not needed.
