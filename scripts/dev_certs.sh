#!/usr/bin/env bash
# Development certificates for mutual TLS between the gateway and its
# upstreams: a CA, a server certificate for each upstream service, and a
# client certificate for the gateway, made with Debian's openssl (EC P-256,
# SHA-256). For development and tests only: the private keys are written
# unencrypted (mode 0600) and must never be committed (.gitignore has *.key).
#
#   scripts/dev_certs.sh DIR [--days N] [--new-ca]
#
# DIR/ca.crt, ca.key             the development CA (reused when present, so
#                                that certificates can be re-issued from the
#                                same CA; --new-ca replaces it)
# DIR/engine.crt, engine.key     server: localhost, 127.0.0.1, ::1 and the
# DIR/pgstub.crt, pgstub.key       Kubernetes names NAME, NAME.hashmesh,
#                                  NAME.hashmesh.svc, NAME.hashmesh.svc.cluster.local
# DIR/gateway.crt, gateway.key   client (clientAuth), CN and SAN "gateway"
#
# Every run issues new service and client certificates (new keys, serial
# numbers from the CA's serial file), valid for N days (default 30, 1..825).
set -euo pipefail

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
dir=""
days=30
new_ca=0
while (($#)); do
  case "$1" in
    --days) days=${2:?--days needs a number of days}; shift ;;
    --days=*) days=${1#--days=} ;;
    --new-ca) new_ca=1 ;;
    -h|--help) usage ;;
    -*) echo "dev_certs.sh: unknown option '$1'" >&2; usage ;;
    *) [[ -z "$dir" ]] || { echo "dev_certs.sh: one DIR only" >&2; usage; }; dir=$1 ;;
  esac
  shift
done
[[ -n "$dir" ]] || usage
if ! [[ "$days" =~ ^[0-9]+$ ]] || ((days < 1 || days > 825)); then
  echo "dev_certs.sh: --days must be 1..825, got '$days'" >&2
  exit 2
fi
command -v openssl >/dev/null || { echo "dev_certs.sh: needs openssl (Debian package openssl)" >&2; exit 1; }

mkdir -p "$dir"
umask 077
# Inside DIR, so that each file is replaced by a rename on one file system.
tmp=$(mktemp -d "$dir/.dev_certs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# A CA kept from an earlier run must outlive what it is about to sign.
if ((!new_ca)) && [[ -s "$dir/ca.crt" ]] &&
   ! openssl x509 -in "$dir/ca.crt" -noout -checkend $((days * 86400)) >/dev/null; then
  echo "dev_certs.sh: $dir/ca.crt expires within $days days; run with --new-ca" >&2
  exit 1
fi
if ((new_ca)) || [[ ! -s "$dir/ca.crt" || ! -s "$dir/ca.key" ]]; then
  new_key "$tmp/ca.key"
  # The CA's own validity outlasts what it issues by a year, so re-issuing
  # with the same CA keeps working for a while.
  openssl req -x509 -new -sha256 -key "$tmp/ca.key" -days $((days + 365)) \
    -subj "/O=hashmesh/CN=hashmesh development CA $(date -u +%Y%m%dT%H%M%SZ)" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" \
    -out "$tmp/ca.crt"
  mv "$tmp/ca.key" "$dir/ca.key"
  mv "$tmp/ca.crt" "$dir/ca.crt"
  rm -f "$dir/ca.srl"
  echo "dev_certs.sh: new CA $dir/ca.crt"
fi

# issue NAME USAGE SAN: a key and a certificate signed by the CA.
issue() {
  local name=$1 usage=$2 san=$3
  new_key "$tmp/$name.key"
  openssl req -new -sha256 -key "$tmp/$name.key" -subj "/O=hashmesh/CN=$name" -out "$tmp/$name.csr"
  cat >"$tmp/$name.ext" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=$usage
subjectAltName=$san
authorityKeyIdentifier=keyid
subjectKeyIdentifier=hash
EOF
  openssl x509 -req -sha256 -in "$tmp/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAserial "$dir/ca.srl" -CAcreateserial -days "$days" -extfile "$tmp/$name.ext" \
    -out "$tmp/$name.crt" 2>/dev/null
  # Key, then certificate, each replaced by a rename: a file watcher reads
  # the old or the new file, never half of one. Between the two renames it
  # may see the new key with the old certificate; gRPC's watcher then keeps
  # the pair it has and takes the new one at its next refresh.
  mv "$tmp/$name.key" "$dir/$name.key"
  mv "$tmp/$name.crt" "$dir/$name.crt"
  echo "dev_certs.sh: $dir/$name.crt ($usage; $san)"
}

for service in engine pgstub; do
  san="DNS:localhost,IP:127.0.0.1,IP:::1"
  for suffix in "" .hashmesh .hashmesh.svc .hashmesh.svc.cluster.local; do
    san+=",DNS:$service$suffix"
  done
  issue "$service" serverAuth "$san"
done
issue gateway clientAuth "DNS:gateway"
chmod 0644 "$dir"/*.crt
