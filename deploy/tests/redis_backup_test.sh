#!/usr/bin/env bash
# deploy/redis-backup.sh round trip on real redis-servers: back up a live
# Redis with AOF always, change and lose the data, restore, and start Redis
# the production way (AOF on): the backed-up data is there, the later
# change is not.
set -euo pipefail
script=$(cd "$(dirname "$0")/.." && pwd)/redis-backup.sh
work=$(mktemp -d)
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start() {
  redis-server --port "$port" --bind 127.0.0.1 --dir "$work/data" --appendonly yes \
    --appendfsync always --save "" --daemonize yes --logfile "$work/redis.log"
  for _ in $(seq 100); do redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && return; sleep 0.1; done
  echo "redis did not start" >&2; exit 1
}
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$work/data"
start
redis-cli -p "$port" SET 'ks:{cases}:case:1' before >/dev/null
redis-cli -p "$port" XADD 'ks:{cases}:events' '*' event one >/dev/null
backup=$("$script" backup "$port" "$work/backups")
[ -f "$backup" ] && [ -f "$backup.sha256" ] || fail "no backup file: $backup"
redis-cli -p "$port" SET 'ks:{cases}:case:1' after >/dev/null
redis-cli -p "$port" SET 'ks:{cases}:case:2' later >/dev/null

# Restore refuses while Redis runs.
if "$script" restore "$backup" "$work/data" "$port" 2>"$work/err"; then fail "restored over a running Redis"; fi
grep -q "is running" "$work/err" || fail "no reason given: $(cat "$work/err")"

redis-cli -p "$port" shutdown >/dev/null
"$script" restore "$backup" "$work/data" "$port"
ls -d "$work"/data.before-restore-* >/dev/null || fail "old data not kept"
[ -d "$work/data/appendonlydir" ] || fail "no AOF rebuilt"
start
[ "$(redis-cli -p "$port" GET 'ks:{cases}:case:1')" = before ] || fail "case:1 not restored"
[ "$(redis-cli -p "$port" EXISTS 'ks:{cases}:case:2')" = 0 ] || fail "a write after the backup survived"
[ "$(redis-cli -p "$port" XLEN 'ks:{cases}:events')" = 1 ] || fail "stream not restored"
[ "$(redis-cli -p "$port" CONFIG GET appendonly | sed -n 2p)" = yes ] || fail "AOF off"
# A corrupted backup is refused by its checksum.
echo x >>"$backup"
redis-cli -p "$port" shutdown >/dev/null
if "$script" restore "$backup" "$work/data2" "$port" 2>/dev/null; then fail "corrupt backup restored"; fi
echo "redis backup/restore: ok"
