#!/usr/bin/env bash
# Installs what is missing, builds, and starts the local national stack on
# loopback: four Redis (one per service, AOF on, own data dirs), the four
# services wired to each other (placements and supervision call cases,
# supervision follows placements, cases and placements follow supervision,
# reporting follows all three feeds), the dashboard on http://127.0.0.1:8080/, then
# demo data loaded through the public APIs (scripts/demo/load_demo.py; once:
# starting again keeps the data and does not load it twice).
#   cases        gRPC 127.0.0.1:7101  metrics :9101  redis :6401
#   placements   gRPC 127.0.0.1:7102  metrics :9102  redis :6402
#   supervision  gRPC 127.0.0.1:7103  metrics :9103  redis :6403
#   reporting    gRPC 127.0.0.1:7104  metrics :9104  redis :6404
# State (Redis data, logs, tokens) lives in ./run/; scripts/stop-stack.sh stops it.
#   dashboard    http://127.0.0.1:8080/ (reporting --http_listen)
#   reports CSV  http://127.0.0.1:8082/v1/... (placements --http_listen)
# Usage: scripts/start-stack.sh [--no-demo] [--seed=N] [--size=N]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
run=$root/run
bin=$root/build/release/services
demo=1 demo_args=()
for arg in "$@"; do
  case $arg in
    --no-demo) demo=0 ;;
    --seed=*|--size=*|--regencies=*) demo_args+=("$arg") ;;
    *) echo "unknown argument $arg (see the header of $0)" >&2; exit 2 ;;
  esac
done
step() { echo "==> $*" >&2; }

step "installing what is missing"
scripts/install-deps.sh
step "building (release)"
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
# The role tokens the demo loader works with (JAKSA, PEMDA_OFFICER,
# PK_BAPAS, ...; their list lives in scripts/demo/ks_flows.py), minted once.
/usr/bin/python3 scripts/demo/load_demo.py --tokens_dir="$run/tokens" \
  --mint_with="$token_tool" --token_file="$tokens"
# Reporting's upstreams: the three feeds, read with the service token.
printf 'national %s\n' "$(cat "$run/tokens/service.token")" >"$run/tokens/upstream-credentials"
chmod 600 "$run/tokens/upstream-credentials"
cat >"$run/upstreams.textproto" <<'UPSTREAMS'
upstreams { name: "upstreams/cases" kind: UPSTREAM_KIND_CASES address: "127.0.0.1:7101" credential_name: "national" display_name: "Kejari (local)" }
upstreams { name: "upstreams/placements" kind: UPSTREAM_KIND_PLACEMENTS address: "127.0.0.1:7102" credential_name: "national" display_name: "Pemda (local)" }
upstreams { name: "upstreams/supervision" kind: UPSTREAM_KIND_SUPERVISION address: "127.0.0.1:7103" credential_name: "national" display_name: "Bapas (local)" }
UPSTREAMS

services=(cases placements supervision reporting)
step "starting four Redis (AOF on, data in run/redis/)"
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
# A restarted Redis answers LOADING while it replays its AOF: wait for PONG.
for i in 0 1 2 3; do
  redis_port=$((6401 + i))
  for n in $(seq 1200); do
    [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ] && break
    if [ "$n" = 1200 ]; then
      echo "Redis on :$redis_port is not ready after 120 s; see run/logs/redis-${services[$i]}.log" >&2
      exit 1
    fi
    [ $((n % 50)) = 0 ] && echo "    waiting for Redis on :$redis_port ($((n / 10)) s)" >&2
    sleep 0.1
  done
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

service_token=$run/tokens/service.token
wiring_cases=(--supervision_address=127.0.0.1:7103 --service_token_file="$service_token")
wiring_placements=(--cases_address=127.0.0.1:7101 --supervision_address=127.0.0.1:7103
  --http_listen=127.0.0.1:8082 --service_token_file="$service_token")
wiring_supervision=(--cases_address=127.0.0.1:7101 --placements_address=127.0.0.1:7102
  --service_token_file="$service_token")
wiring_reporting=(--upstreams_file="$run/upstreams.textproto"
  --upstream_credentials_file="$run/tokens/upstream-credentials"
  --http_listen=127.0.0.1:8080 --http_public_token_file="$service_token")
step "starting the four services"
for i in 0 1 2 3; do
  name=${services[$i]}
  pidfile=$run/$name.pid
  declare -n wiring=wiring_$name
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then continue; fi
  KS_REDIS_PORT=$((6401 + i)) KS_TOKEN_FILE=$tokens \
    KS_AUDIT_KEY_FILE=$run/keys/audit-$name.pem \
    nohup "$bin/$name/kerjasosial-$name" "${wiring[@]}" >>"$run/logs/$name.log" 2>&1 &
  echo $! >"$pidfile"
  unset -n wiring
done

step "waiting for the services to report SERVING"
if ! /usr/bin/python3 scripts/probe.py --wait 60 127.0.0.1:7101 127.0.0.1:7102 127.0.0.1:7103 127.0.0.1:7104; then
  echo "some services are not SERVING; the end of each service's log (run/logs/):" >&2
  for name in "${services[@]}"; do
    pid=$(cat "$run/$name.pid" 2>/dev/null || true)
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then echo "--- $name (not running)" >&2; else echo "--- $name" >&2; fi
    tail -n 5 "$run/logs/$name.log" >&2
  done
  exit 1
fi

# Demo data, through the public APIs; the marker makes a restart skip it (a
# re-run would not double it either: its request_ids come from the seed).
if [ "$demo" = 1 ] && [ ! -f "$run/demo.loaded" ]; then
  step "loading demo data (scripts/demo/load_demo.py ${demo_args[*]})"
  if /usr/bin/python3 scripts/demo/load_demo.py --tokens_dir="$run/tokens" "${demo_args[@]}" \
      2> >(tee "$run/logs/demo-load.log" >&2); then
    date -u +%FT%TZ >"$run/demo.loaded"
  else
    echo "demo data did not load; see run/logs/demo-load.log" >&2
  fi
fi

cat <<MSG

kerjasosial is running on loopback.
  dashboard     http://127.0.0.1:8080/   (sign in with run/tokens/national_viewer.token)
  public page   http://127.0.0.1:8080/publik
  cases         127.0.0.1:7101   placements 127.0.0.1:7102
  supervision   127.0.0.1:7103   reporting  127.0.0.1:7104   (gRPC, plaintext loopback)
  metrics       http://127.0.0.1:9101/metrics ... :9104
  report CSV    http://127.0.0.1:8082/v1/regencies/<r>/agreements/<a>/reports/<id>.csv (placements)
Tokens: run/tokens/<role>.token (send as 'authorization: Bearer <token>').
Logs: run/logs/. Stop it with scripts/stop-stack.sh (the data stays in run/).
MSG
