#!/usr/bin/env bash
# scripts/dev_certs.sh: what it issues chains to its CA with the names and
# usages mutual TLS needs, keys stay private, re-runs keep the CA (rotation
# from the same CA) unless --new-ca, and bad arguments are refused.
#   tests/tls/dev_certs_test.sh WORK_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$1
rm -rf "$work" && mkdir -p "$work"
certs=$work/certs
fail=0
check() {  # check WHAT COMMAND...: passes when COMMAND succeeds
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then echo "ok   $what"; else echo "FAIL $what" >&2; fail=1; fi
}
refuses() {  # refuses WHAT COMMAND...: passes when COMMAND fails
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then echo "FAIL $what (accepted)" >&2; fail=1; else echo "ok   $what"; fi
}
ext() { openssl x509 -in "$1" -noout -ext "$2" 2>/dev/null; }

"$root/scripts/dev_certs.sh" "$certs" >/dev/null
for f in ca engine pgstub gateway; do
  check "$f.crt and $f.key written" test -s "$certs/$f.crt" -a -s "$certs/$f.key"
  check "$f.key readable by its owner only" test "$(stat -c %a "$certs/$f.key")" = 600
  check "$f.key matches $f.crt" test "$(openssl pkey -in "$certs/$f.key" -pubout)" = \
    "$(openssl x509 -in "$certs/$f.crt" -noout -pubkey)"
done
check "the CA is a CA" grep -q 'CA:TRUE' <(ext "$certs/ca.crt" basicConstraints)
for service in engine pgstub; do
  crt=$certs/$service.crt
  check "$service chains to the CA" openssl verify -CAfile "$certs/ca.crt" -purpose sslserver "$crt"
  for name in localhost "$service" "$service.hashmesh" "$service.hashmesh.svc" \
              "$service.hashmesh.svc.cluster.local"; do
    check "$service is valid for $name" openssl verify -CAfile "$certs/ca.crt" -verify_hostname "$name" "$crt"
  done
  check "$service is valid for 127.0.0.1" openssl verify -CAfile "$certs/ca.crt" -verify_ip 127.0.0.1 "$crt"
  refuses "$service is not valid for the other service's name" \
    openssl verify -CAfile "$certs/ca.crt" -verify_hostname "$([[ $service == engine ]] && echo pgstub || echo engine)" "$crt"
  refuses "$service is not a client certificate" \
    openssl verify -CAfile "$certs/ca.crt" -purpose sslclient "$crt"
done
check "gateway is a client certificate" openssl verify -CAfile "$certs/ca.crt" -purpose sslclient "$certs/gateway.crt"
refuses "gateway is not a server certificate" openssl verify -CAfile "$certs/ca.crt" -purpose sslserver "$certs/gateway.crt"

# Mutual TLS 1.3, openssl against itself: the server (-Verify: a client
# certificate is required) answers its -www page only to a client whose
# certificate chains to the CA; a client certificate from another CA gets
# no page. In TLS 1.3 the client finishes its handshake before the server
# checks the client's certificate, so only the page shows the server agreed.
"$root/scripts/dev_certs.sh" "$work/other" >/dev/null
handshake() {  # handshake CERT KEY: the server's reply, if any
  local log=$work/server.log port=""
  openssl s_server -accept 0 -naccept 1 -tls1_3 -www -cert "$certs/engine.crt" \
    -key "$certs/engine.key" -CAfile "$certs/ca.crt" -Verify 1 -verify_return_error >"$log" 2>&1 &
  local server=$!
  for _ in $(seq 200); do
    port=$(grep -o 'ACCEPT .*:[0-9]*' "$log" | sed 's/.*://' || true)
    [[ -n "$port" ]] && break
    sleep 0.05
  done
  [[ -n "$port" ]] || { echo "s_server printed no port: $(cat "$log")" >&2; kill "$server"; return 1; }
  printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_3 \
    -CAfile "$certs/ca.crt" -verify_hostname engine.hashmesh.svc -verify_return_error \
    -cert "$1" -key "$2" -ign_eof 2>/dev/null || true
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}
check "mutual TLS 1.3 with the gateway's certificate" \
  grep -aq 'HTTP/1.0 200 ok' <(handshake "$certs/gateway.crt" "$certs/gateway.key")
refuses "mutual TLS 1.3 with a client certificate from another CA" \
  grep -aq 'HTTP/1.0 200 ok' <(handshake "$work/other/gateway.crt" "$work/other/gateway.key")

# Re-issue from the same CA, then from a new one.
cp "$certs/ca.crt" "$work/ca.first"
cp "$certs/engine.crt" "$work/engine.first"
"$root/scripts/dev_certs.sh" "$certs" >/dev/null
check "a re-run keeps the CA" cmp -s "$certs/ca.crt" "$work/ca.first"
refuses "a re-run issues a new engine certificate" cmp -s "$certs/engine.crt" "$work/engine.first"
check "the new engine certificate chains to the same CA" openssl verify -CAfile "$work/ca.first" "$certs/engine.crt"
"$root/scripts/dev_certs.sh" "$certs" --new-ca >/dev/null
refuses "--new-ca replaces the CA" cmp -s "$certs/ca.crt" "$work/ca.first"
refuses "certificates from the new CA do not chain to the old one" openssl verify -CAfile "$work/ca.first" "$certs/engine.crt"
check "--days sets the validity" bash -c \
  "'$root/scripts/dev_certs.sh' '$work/short' --days 2 >/dev/null &&
   openssl x509 -in '$work/short/engine.crt' -noout -checkend $((2 * 86400 - 3600)) &&
   ! openssl x509 -in '$work/short/engine.crt' -noout -checkend $((2 * 86400 + 3600))"
refuses "--days 0 is refused" "$root/scripts/dev_certs.sh" "$work/bad" --days 0
refuses "--days 826 is refused" "$root/scripts/dev_certs.sh" "$work/bad" --days 826
refuses "a missing DIR is refused" "$root/scripts/dev_certs.sh"
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  check "git ignores private keys" git -C "$root" check-ignore -q some/dir/engine.key
fi
refuses "--days without a value is refused" "$root/scripts/dev_certs.sh" "$work/bad" --days
refuses "a CA that would expire first is refused" "$root/scripts/dev_certs.sh" "$work/short" --days 400

((fail == 0)) || exit 1
echo "ok: dev_certs.sh"
