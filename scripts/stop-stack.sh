#!/usr/bin/env bash
# Stops the local stack started by scripts/start-stack.sh: the services first
# (SIGTERM: they finish in-flight calls), then their Redis (data stays in run/).
set -uo pipefail
cd "$(dirname "$0")/.."
run=$PWD/run
for name in cases placements supervision reporting; do
  pidfile=$run/$name.pid
  if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null && for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    # A service ends itself within its --shutdown_grace (10 s); one still
    # here would hold its ports against the next start. Nothing acknowledged
    # is lost by SIGKILL: every acknowledged write is in Redis (AOF always).
    if kill -0 "$pid" 2>/dev/null; then
      echo "$name did not stop within 15 s of SIGTERM; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null
    fi
    rm -f "$pidfile"
  fi
done
for port in 6401 6402 6403 6404; do
  redis-cli -p "$port" shutdown >/dev/null 2>&1 || true
done
echo "stopped" >&2
