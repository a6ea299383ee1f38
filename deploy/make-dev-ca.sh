#!/usr/bin/env bash
# Makes a DEVELOPMENT certificate authority and certificates for TLS and
# mTLS between kerjasosial services, ksctl and partner clients. Not for
# production: the CA key sits beside the certificates, unencrypted. In
# production use the agency's PKI; the file names below are what the
# sample configurations (deploy/*.env) expect.
#
# Usage: deploy/make-dev-ca.sh <out_dir> [extra DNS name or IP ...]
#
# Writes into <out_dir> (kept if already there, so re-running adds what is
# missing and never replaces the CA that signed existing certificates):
#   ca.crt ca.key                  the CA (trust ca.crt: KS_TLS_CLIENT_CA,
#                                  --*_ca_file, ksctl --ca_file)
#   <service>.crt <service>.key    server certificate of each service
#                                  (KS_TLS_CERT / KS_TLS_KEY), for
#                                  localhost, 127.0.0.1, <service>,
#                                  kerjasosial-<service> and the extras
#   client-<name>.crt/.key         client certificates for mTLS: one per
#                                  service (calling its peers), ksctl and
#                                  partner
# Needs openssl (Debian package openssl). Keys are EC P-256, chmod 600.
set -euo pipefail
if [ $# -lt 1 ]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
out=$1
shift
extra=("$@")
days=${KS_DEV_CA_DAYS:-825}
mkdir -p "$out"
chmod 700 "$out"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

if [ ! -f "$out/ca.crt" ]; then
  key "$out/ca.key"
  openssl req -x509 -new -key "$out/ca.key" -sha256 -days "$days" \
    -subj "/O=kerjasosial development/CN=kerjasosial dev CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$out/ca.crt"
  echo "made CA: $out/ca.crt" >&2
fi

# sign <name> <extendedKeyUsage> <subjectAltName>
sign() {
  local name=$1 eku=$2 san=$3
  [ -f "$out/$name.crt" ] && return 0
  key "$out/$name.key"
  openssl req -new -key "$out/$name.key" -subj "/O=kerjasosial development/CN=$name" \
    -out "$out/$name.csr"
  local ext
  ext=$(mktemp)
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [ -n "$san" ] && echo "subjectAltName=$san"
  } >"$ext"
  openssl x509 -req -in "$out/$name.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" \
    -CAcreateserial -sha256 -days "$days" -extfile "$ext" -out "$out/$name.crt" 2>/dev/null
  rm -f "$ext" "$out/$name.csr"
  echo "made $out/$name.crt" >&2
}

alt_names() {
  local s="DNS:localhost,IP:127.0.0.1,DNS:$1,DNS:kerjasosial-$1"
  local e
  for e in "${extra[@]}"; do
    if [[ $e =~ ^[0-9.]+$|: ]]; then s+=",IP:$e"; else s+=",DNS:$e"; fi
  done
  echo "$s"
}

for service in cases placements supervision reporting; do
  sign "$service" serverAuth "$(alt_names "$service")"
  sign "client-$service" clientAuth ""
done
sign client-ksctl clientAuth ""
sign client-partner clientAuth ""
chmod 600 "$out"/*.key
chmod 644 "$out"/*.crt
