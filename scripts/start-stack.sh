#!/usr/bin/env bash
# Installs what is missing, builds, and starts the local stack on loopback:
# four Redis (one per service, AOF on) and the four services.
#   cases        gRPC 127.0.0.1:7101  metrics :9101  redis :6401
#   placements   gRPC 127.0.0.1:7102  metrics :9102  redis :6402
#   supervision  gRPC 127.0.0.1:7103  metrics :9103  redis :6403
#   reporting    gRPC 127.0.0.1:7104  metrics :9104  redis :6404
# State (Redis data, logs, tokens) lives in ./run/; scripts/stop-stack.sh stops it.
# Usage: scripts/start-stack.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
run=$root/run
bin=$root/build/release/services

scripts/install-deps.sh
echo "building (release)..." >&2
cmake --preset release >/dev/null
cmake --build --preset release   # ninja prints [done/total] as it goes

mkdir -p "$run/logs" "$run/tokens"
chmod 700 "$run/tokens"
tokens=$run/tokens/tokens.tsv
token_tool=$root/build/release/common/auth/kerjasosial-token
if [ ! -s "$tokens" ]; then
  # Development principals: an administrator, a service identity for
  # service-to-service calls and feeds, and a national dashboard viewer.
  "$token_tool" mint --token_file="$tokens" --id=local-admin --agency=local \
    --role=ADMIN --regencies='*' >"$run/tokens/admin.token"
  "$token_tool" mint --token_file="$tokens" --id=local-service --agency=local \
    --role=SERVICE --regencies='*' >"$run/tokens/service.token"
  "$token_tool" mint --token_file="$tokens" --id=local-viewer --agency=local \
    --role=NATIONAL_VIEWER --regencies='*' >"$run/tokens/viewer.token"
  chmod 600 "$run"/tokens/*
fi

services=(cases placements supervision reporting)
for i in 0 1 2 3; do
  name=${services[$i]}
  redis_port=$((6401 + i))
  mkdir -p "$run/redis/$name"
  if ! redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
    redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$run/redis/$name" \
      --appendonly yes --appendfsync always --save "" --daemonize yes \
      --pidfile "$run/redis/$name/redis.pid" --logfile "$run/logs/redis-$name.log"
  fi
done
for i in 0 1 2 3; do
  redis_port=$((6401 + i))
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
done

# One Ed25519 key per service signs its audit checkpoints (the public half
# is what `kerjasosial-audit verify --public_key_file` takes). Development
# keys, kept in run/keys/ across restarts; production keys live outside the
# service's Redis host (deploy/README.md#audit-trail).
mkdir -p "$run/keys"
for name in "${services[@]}"; do
  key=$run/keys/audit-$name.pem
  if [ ! -f "$key" ]; then
    openssl genpkey -algorithm ed25519 -out "$key" 2>/dev/null
    openssl pkey -in "$key" -pubout -out "$run/keys/audit-$name.pub.pem"
    chmod 600 "$key"
  fi
done

for i in 0 1 2 3; do
  name=${services[$i]}
  pidfile=$run/$name.pid
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then continue; fi
  KS_REDIS_PORT=$((6401 + i)) KS_TOKEN_FILE=$tokens \
    KS_AUDIT_KEY_FILE=$run/keys/audit-$name.pem \
    nohup "$bin/$name/kerjasosial-$name" >>"$run/logs/$name.log" 2>&1 &
  echo $! >"$pidfile"
done

echo "waiting for the services to report SERVING..." >&2
if scripts/probe.py --wait 30 127.0.0.1:7101 127.0.0.1:7102 127.0.0.1:7103 127.0.0.1:7104; then
  cat <<MSG

kerjasosial is running on loopback. Logs: run/logs/. Tokens: run/tokens/*.token
(send as 'authorization: Bearer <token>'). Metrics: http://127.0.0.1:9101/metrics
(9101-9104). Stop it with scripts/stop-stack.sh.
MSG
else
  echo "some services are not SERVING; see run/logs/" >&2
  exit 1
fi
