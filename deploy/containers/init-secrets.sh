#!/usr/bin/env bash
# Makes deploy/containers/secrets/ for compose.yaml: one token file shared by
# the four containers (admin, service and viewer tokens, printed once to
# secrets/*.token), a development CA and certificates (make-dev-ca.sh), and
# an Ed25519 audit key per service. Idempotent: keeps what exists.
# Development only: production gives each agency its own tokens, PKI and
# keys (docs/operators/).
# Needs: openssl, and kerjasosial-token on PATH or in build/release.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$here/secrets
mkdir -p "$out/keys"
token_tool=$(command -v kerjasosial-token || echo "$root/build/release/common/auth/kerjasosial-token")
[ -x "$token_tool" ] || { echo "init-secrets: build kerjasosial-token first (cmake --build --preset release)" >&2; exit 1; }

"$root/deploy/make-dev-ca.sh" "$out/tls"
if [ ! -s "$out/tokens.tsv" ]; then
  "$token_tool" mint --token_file="$out/tokens.tsv" --id=local-admin --agency=local \
    --role=ADMIN --regencies='*' >"$out/admin.token"
  "$token_tool" mint --token_file="$out/tokens.tsv" --id=local-service --agency=local \
    --role=SERVICE --regencies='*' >"$out/service.token"
  "$token_tool" mint --token_file="$out/tokens.tsv" --id=local-viewer --agency=local \
    --role=NATIONAL_VIEWER --regencies='*' >"$out/viewer.token"
fi
for service in cases placements supervision reporting; do
  key=$out/keys/audit-$service.pem
  [ -f "$key" ] || openssl genpkey -algorithm ed25519 -out "$key"
done
# The containers run as an unprivileged user of their own: the files must be
# readable by it. This directory is for a development host only.
chmod 755 "$out" "$out/keys" "$out/tls"
chmod 644 "$out"/*.tsv "$out"/*.token "$out"/keys/*.pem "$out"/tls/*.key
echo "secrets in $out; the admin token is $out/admin.token" >&2
