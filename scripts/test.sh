#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite.
# Every storage test starts its own redis-server on a free loopback port.
# Usage: scripts/test.sh [preset]   (preset: dev (default), release, asan, tsan)
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-dev}

scripts/install-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset"
