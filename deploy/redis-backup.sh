#!/usr/bin/env bash
# Backup and restore of one kerjasosial service's Redis.
#
#   deploy/redis-backup.sh backup  <redis port> <backup dir>
#       Snapshots the live Redis (BGSAVE: no pause of writes) and copies the
#       snapshot to <backup dir>/<host>-<port>-<UTC time>.rdb with a .sha256.
#       Safe while the service runs; prints the file's path.
#   deploy/redis-backup.sh restore <backup .rdb> <redis data dir> <redis port>
#       With the service and its Redis STOPPED: replaces the data in <redis
#       data dir> with the backup and rebuilds the append-only file from it,
#       so Redis starts on the restored data with AOF on. The old data is
#       kept in <redis data dir>.before-restore-<time>.
#
# Password: KS_REDIS_PASSWORD (never a flag: it would show in `ps`).
# What is NOT in a backup, on purpose: the service's audit signing key
# (KS_AUDIT_KEY_FILE; back it up apart, offline) and the token file.
# After a restore, writes made after the backup are gone; feed consumers
# (reporting, cases, ...) hold cursors beyond it and resume from the oldest
# event still kept; check the trail with `ksctl audit verify`.
# Exit codes: 0 done, 1 failed, 2 usage.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2; }
cli() {
  if [ -n "${KS_REDIS_PASSWORD:-}" ]; then
    REDISCLI_AUTH=$KS_REDIS_PASSWORD redis-cli -p "$port" "$@"
  else
    redis-cli -p "$port" "$@"
  fi
}

[ $# -ge 1 ] || usage
command=$1
shift
case "$command" in
  backup)
    [ $# -eq 2 ] || usage
    port=$1 dest=$2
    mkdir -p "$dest"
    dir=$(cli CONFIG GET dir | sed -n 2p)
    file=$(cli CONFIG GET dbfilename | sed -n 2p)
    # rdb_saves counts snapshots since start-up (LASTSAVE has one-second
    # resolution, too coarse to see a fast BGSAVE finish).
    saves() { cli INFO persistence | tr -d '\r' | sed -n 's/^rdb_saves://p'; }
    before=$(saves)
    # A BGSAVE already running (or an AOF rewrite) makes this one fail:
    # retry for a while instead of copying a stale snapshot.
    for _ in $(seq 600); do
      if cli BGSAVE 2>/dev/null | grep -q "started"; then break; fi
      sleep 0.5
    done
    for _ in $(seq 1200); do
      [ "$(saves)" != "$before" ] && break
      sleep 0.2
    done
    if [ "$(saves)" = "$before" ]; then
      echo "redis-backup: BGSAVE did not finish on port $port" >&2
      exit 1
    fi
    if [ "$(cli INFO persistence | tr -d '\r' | sed -n 's/^rdb_last_bgsave_status://p')" != ok ]; then
      echo "redis-backup: BGSAVE failed on port $port (see the Redis log)" >&2
      exit 1
    fi
    out="$dest/$(hostname)-$port-$(date -u +%Y%m%dT%H%M%SZ).rdb"
    cp "$dir/$file" "$out.tmp"
    mv "$out.tmp" "$out"
    (cd "$dest" && sha256sum "$(basename "$out")" >"$(basename "$out").sha256")
    echo "$out"
    ;;
  restore)
    [ $# -eq 3 ] || usage
    backup=$1 data=$2 port=$3
    [ -f "$backup" ] || { echo "redis-backup: no such backup $backup" >&2; exit 1; }
    if [ -f "$backup.sha256" ]; then
      (cd "$(dirname "$backup")" && sha256sum --check --quiet "$(basename "$backup").sha256")
    fi
    if cli PING >/dev/null 2>&1; then
      echo "redis-backup: Redis on port $port is running; stop the service and its Redis first" >&2
      exit 1
    fi
    if [ -d "$data" ]; then
      mv "$data" "$data.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"
    fi
    mkdir -p "$data"
    chmod 700 "$data"
    cp "$backup" "$data/dump.rdb"
    # Load the snapshot with AOF off, then turn AOF on: Redis writes a new
    # append-only file from memory (an AOF rewrite), and the restored data
    # is what the normal AOF start-up then loads.
    redis-server --port "$port" --bind 127.0.0.1 --dir "$data" --dbfilename dump.rdb \
      --appendonly no --save "" --daemonize yes --logfile "$data/restore.log" \
      ${KS_REDIS_PASSWORD:+--requirepass "$KS_REDIS_PASSWORD"}
    for _ in $(seq 600); do
      cli PING 2>/dev/null | grep -q PONG && ! cli INFO persistence | grep -q "^loading:1" && break
      sleep 0.5
    done
    keys=$(cli DBSIZE)
    cli CONFIG SET appendfsync always >/dev/null
    cli CONFIG SET appendonly yes >/dev/null
    for _ in $(seq 1200); do
      state=$(cli INFO persistence | tr -d '\r')
      if echo "$state" | grep -q "^aof_rewrite_in_progress:0" &&
         echo "$state" | grep -q "^aof_rewrite_scheduled:0" &&
         echo "$state" | grep -q "^aof_enabled:1"; then
        break
      fi
      sleep 0.5
    done
    cli SHUTDOWN >/dev/null 2>&1 || true
    for _ in $(seq 100); do cli PING >/dev/null 2>&1 || break; sleep 0.2; done
    rm -f "$data/restore.log"
    echo "restored $keys keys into $data; start its Redis (AOF on) and the service" >&2
    ;;
  *) usage ;;
esac
