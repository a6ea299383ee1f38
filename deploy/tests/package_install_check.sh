#!/usr/bin/env bash
# Builds the .deb packages from the release build, installs them on this
# machine and starts each service the way its systemd unit does (same user,
# same EnvironmentFile, same ExecStart) against a local Redis, then checks
# that it answers health checks. Meant for a fresh Debian 12 root, where no
# systemd runs (a chroot, a container): the unit files are checked with
# `systemd-analyze verify`, and their [Service] lines are followed by hand.
# On a machine with systemd running, `systemctl start` is used instead.
#
# Long (a release build): not part of the test suite. Run once, as root:
#   cmake --preset release && cmake --build --preset release
#   deploy/tests/package_install_check.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
services=(cases placements supervision reporting)
step() { echo "==> $*" >&2; }

step "building the packages (cpack -G DEB)"
# cpack computes each package's library dependencies (SHLIBDEPS) with
# dpkg-shlibdeps, which needs `file` and dpkg-dev: not on a minimal root.
command -v file >/dev/null && command -v dpkg-shlibdeps >/dev/null ||
  apt-get install -y -qq file dpkg-dev >/dev/null
(cd build/release && cpack -G DEB >/dev/null)
ls build/release/kerjasosial-*.deb

step "installing them with apt (dependencies resolved from Debian)"
apt-get install -y -qq ./build/release/kerjasosial-common_*.deb \
  $(for s in "${services[@]}"; do echo ./build/release/kerjasosial-"$s"_*.deb; done) >/dev/null
for s in "${services[@]}"; do
  test -x /usr/bin/kerjasosial-$s
  test -f /usr/lib/systemd/system/kerjasosial-$s.service -o -f /lib/systemd/system/kerjasosial-$s.service
  test -f /etc/kerjasosial/$s.env  # the postinst's sample configuration
done
getent passwd kerjasosial >/dev/null  # the postinst's system user

step "checking the unit files (systemd-analyze verify)"
command -v systemd-analyze >/dev/null || apt-get install -y -qq systemd >/dev/null
for s in "${services[@]}"; do
  unit=$(ls /usr/lib/systemd/system/kerjasosial-$s.service /lib/systemd/system/kerjasosial-$s.service 2>/dev/null | head -1)
  # Only the unit's own lines: the redis-server.service it orders after is
  # not installed here (the Recommends), which verify would report.
  systemd-analyze verify "$unit" 2>&1 | grep -v "redis-server.service\|kerjasosial-redis@" || true
done

step "configuring loopback deployments (documented steps 2-4)"
tokens=/etc/kerjasosial/tokens.tsv
# Re-runnable: a previous run's check principals are revoked first.
for id in check-admin check-service; do
  kerjasosial-token revoke --token_file=$tokens --id=$id >/dev/null 2>&1 || true
done
kerjasosial-token mint --token_file=$tokens --id=check-admin --agency=check \
  --role=ADMIN --regencies='*' >/root/check-admin.token
kerjasosial-token mint --token_file=$tokens --id=check-service --agency=check \
  --role=SERVICE --regencies='*' >/etc/kerjasosial/service.token
chgrp kerjasosial $tokens /etc/kerjasosial/service.token
chmod 0640 $tokens /etc/kerjasosial/service.token
for i in 0 1 2 3; do
  s=${services[$i]}
  port=$((6411 + i))
  mkdir -p /var/lib/kerjasosial-check/$s
  redis-cli -p $port shutdown nosave >/dev/null 2>&1 || true  # a previous run's
  redis-server --port $port --bind 127.0.0.1 --dir /var/lib/kerjasosial-check/$s \
    --appendonly yes --appendfsync always --save "" --daemonize yes
  env=/etc/kerjasosial/$s.env
  # Loopback without TLS for this check; production keeps the TLS lines.
  sed -i -e "s|^KS_LISTEN=.*|KS_LISTEN=127.0.0.1:$((7111 + i))|" \
    -e "s|^KS_METRICS_LISTEN=.*|KS_METRICS_LISTEN=127.0.0.1:$((9111 + i))|" \
    -e "s|^KS_REDIS_PORT=.*|KS_REDIS_PORT=$port|" \
    -e "s|^KS_TLS_|#KS_TLS_|" -e "s|^KS_AUDIT_KEY_FILE|#KS_AUDIT_KEY_FILE|" \
    -e "s|^KS_\([A-Z]*\)_CA_FILE=|#KS_\1_CA_FILE=|" \
    -e "s|^KS_CASES_ADDRESS=.*|KS_CASES_ADDRESS=127.0.0.1:7111|" \
    -e "s|^KS_PLACEMENTS_ADDRESS=.*|KS_PLACEMENTS_ADDRESS=127.0.0.1:7112|" \
    -e "s|^KS_SUPERVISION_ADDRESS=.*|KS_SUPERVISION_ADDRESS=127.0.0.1:7113|" \
    -e "s|^KS_HTTP_LISTEN=.*|KS_HTTP_LISTEN=127.0.0.1:8091|" \
    -e "s|^KS_UPSTREAMS_FILE|#KS_UPSTREAMS_FILE|" "$env"
done

step "starting each service as its unit does"
# A chroot made with `mktemp -d` (../shared/tools/fresh-machine is one) has a
# root directory of mode 700, where no unprivileged user can load even libc:
# the unit's User= could not run anything, whatever the package does. An
# installed Debian system's / is 755; make this root like one.
if [ "$(stat -c %a /)" != 755 ]; then
  echo "note: / is mode $(stat -c %a /) (a chroot made by mktemp -d?); setting 755 as on an installed system" >&2
  chmod 755 /
fi
pids=()
for s in "${services[@]}"; do
  if [ -d /run/systemd/system ]; then
    systemctl start kerjasosial-$s
  else
    # User=kerjasosial, EnvironmentFile=/etc/kerjasosial/<s>.env,
    # ExecStart=/usr/bin/kerjasosial-<s>.
    setpriv --reuid=kerjasosial --regid=kerjasosial --init-groups \
      env $(grep -v '^#' /etc/kerjasosial/$s.env | grep = | xargs) \
      /usr/bin/kerjasosial-$s >/var/log/kerjasosial-check-$s.log 2>&1 &
    pids+=($!)
  fi
done
# Leave nothing running: the services, then the check's Redis.
trap 'kill "${pids[@]}" 2>/dev/null || true
      for port in 6411 6412 6413 6414; do redis-cli -p $port shutdown nosave >/dev/null 2>&1 || true; done' EXIT
if /usr/bin/python3 "$root/scripts/probe.py" --wait 30 127.0.0.1:7111 127.0.0.1:7112 127.0.0.1:7113 127.0.0.1:7114; then
  step "all four packaged services are SERVING"
else
  for s in "${services[@]}"; do echo "--- $s"; tail -20 /var/log/kerjasosial-check-$s.log 2>/dev/null; done
  exit 1
fi
