#!/usr/bin/env bash
# The hashmesh demo: installs what is missing, builds the release preset, starts
# pgstub, engine and gateway on localhost, waits until the gateway is ready,
# sends one payment, prints commands to try, and keeps the mesh running until
# Ctrl-C, which stops all three cleanly.
#
#   scripts/demo.sh            # run until Ctrl-C
#   scripts/demo.sh --check    # start, send the payment, stop (a smoke test)
#   scripts/demo.sh --mtls     # the same over mutual TLS: development
#                              # certificates (scripts/dev_certs.sh) in the
#                              # log folder, health checks on plaintext ports
#
# Ports: GATEWAY_PORT (8080), ENGINE_PORT (50051), PGSTUB_PORT (50052); with
# --mtls also ENGINE_HEALTH_PORT (50061), PGSTUB_HEALTH_PORT (50062).
# Logs:  LOG_DIR (default: a fresh folder under /tmp), one file per service.
set -euo pipefail
cd "$(dirname "$0")/.."

check_only=false
mtls=false
for arg in "$@"; do
  case "$arg" in
    --check) check_only=true ;;
    --mtls) mtls=true ;;
    *) echo "usage: scripts/demo.sh [--check] [--mtls]" >&2; exit 2 ;;
  esac
done

gateway_port=${GATEWAY_PORT:-8080}
engine_port=${ENGINE_PORT:-50051}
pgstub_port=${PGSTUB_PORT:-50052}
engine_health_port=${ENGINE_HEALTH_PORT:-50061}
pgstub_health_port=${PGSTUB_HEALTH_PORT:-50062}
bin=build/release
ports=("gateway:$gateway_port:GATEWAY_PORT" "engine:$engine_port:ENGINE_PORT"
       "pgstub:$pgstub_port:PGSTUB_PORT")
if $mtls; then
  ports+=("engine health checks:$engine_health_port:ENGINE_HEALTH_PORT"
          "pgstub health checks:$pgstub_health_port:PGSTUB_HEALTH_PORT")
fi

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for spec in "${ports[@]}"; do
  IFS=: read -r name port var <<<"$spec"
  if port_in_use "$port"; then
    echo "demo: port $port (for the $name) is already in use on this machine." >&2
    echo "      Stop whatever listens there, or pick another: $var=<port> scripts/demo.sh" >&2
    exit 1
  fi
done

say "installing missing packages (if any)"
scripts/install_deps.sh
say "building (cmake --preset release)"
cmake --preset release >/dev/null
cmake --build --preset release --target hashmesh-gateway hashmesh-engine \
  hashmesh-pgstub hashmesh-grpc

log_dir=${LOG_DIR:-$(mktemp -d /tmp/hashmesh-demo.XXXXXX)}
mkdir -p "$log_dir"
pids=()
stop_mesh() {
  trap - INT TERM EXIT
  if [[ ${#pids[@]} -gt 0 ]]; then
    say "stopping the mesh (SIGTERM, each drains)"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap 'stop_mesh; exit 0' INT TERM
trap stop_mesh EXIT

start() {
  local name=$1; shift
  "$@" >"$log_dir/$name.log" 2>&1 &
  pids+=($!)
  echo "    $name: pid $!, log $log_dir/$name.log"
}
# With --mtls: each service's own certificate, clients' certificates from the
# same CA required, probes on a plaintext health-only port; the gateway
# presents its client certificate and verifies theirs.
engine_tls=() pgstub_tls=() gateway_tls=() grpcurl_tls=(-plaintext) tool_tls=()
if $mtls; then
  certs=$log_dir/certs
  say "development certificates (scripts/dev_certs.sh $certs)"
  scripts/dev_certs.sh "$certs" >/dev/null
  for svc in engine pgstub; do
    health_port_var=${svc}_health_port
    declare -n tls_flags=${svc}_tls
    tls_flags=(--tls_cert_file="$certs/$svc.crt" --tls_key_file="$certs/$svc.key"
               --tls_client_ca_file="$certs/ca.crt"
               --health_listen="127.0.0.1:${!health_port_var}")
    unset -n tls_flags
  done
  gateway_tls=(--upstream_tls_ca_file="$certs/ca.crt"
               --upstream_tls_cert_file="$certs/gateway.crt"
               --upstream_tls_key_file="$certs/gateway.key")
  grpcurl_tls=(-cacert "$certs/ca.crt" -cert "$certs/gateway.crt" -key "$certs/gateway.key")
  tool_tls=("${grpcurl_tls[@]}")
fi

say "starting the mesh$($mtls && echo ' over mutual TLS')"
start pgstub "$bin/services/pgstub/hashmesh-pgstub" --listen="127.0.0.1:$pgstub_port" \
  "${pgstub_tls[@]}"
start engine "$bin/services/engine/hashmesh-engine" --listen="127.0.0.1:$engine_port" \
  "${engine_tls[@]}"
start gateway "$bin/gateway/hashmesh-gateway" --listen="127.0.0.1:$gateway_port" \
  --store_target="127.0.0.1:$pgstub_port" --engine_target="127.0.0.1:$engine_port" \
  "${gateway_tls[@]}"

say "waiting for http://127.0.0.1:$gateway_port/readyz"
for _ in $(seq 1 150); do
  if curl -fsS "http://127.0.0.1:$gateway_port/readyz" >/dev/null 2>&1; then break; fi
  for pid in "${pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "demo: a service exited during start-up; its log:" >&2
      tail -n 20 "$log_dir"/*.log >&2
      exit 1
    fi
  done
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$gateway_port/readyz"; echo

payment='{"account_id":"acc-000042","amount_cents":1299,"currency":"GBP","merchant":"corner-cafe","memo":"latte"}'
say "POST /v1/payments"
curl -sS -X POST "http://127.0.0.1:$gateway_port/v1/payments" \
  -H 'Content-Type: application/json' -d "$payment"
echo

if $mtls; then
  say "hashmesh-grpc over mutual TLS (as grpcurl ${grpcurl_tls[*]})"
  "$bin/tools/hashmesh-grpc" "${tool_tls[@]}" "127.0.0.1:$engine_port" call \
    hashmesh.engine.v1.HashEngine/Hash \
    '{"algorithm":"ALGORITHM_SHA256","rounds":100,"data":"aGVsbG8="}'
  say "the engine refuses a client without a certificate"
  if "$bin/tools/hashmesh-grpc" -cacert "$certs/ca.crt" "127.0.0.1:$engine_port" list \
       >/dev/null 2>&1; then
    echo "demo: the engine accepted a client without a certificate" >&2
    exit 1
  fi
  echo "    refused, as it should be"
fi

if $check_only; then
  exit 0
fi

# grpcurl's TLS options, quoted for the commands printed below.
g=$(printf '%q ' "${grpcurl_tls[@]}")
t="" health_note=""
if $mtls; then
  t=$g
  health_note="  grpcurl -plaintext 127.0.0.1:$engine_health_port grpc.health.v1.Health/Check  # as kubelet: plaintext, health only (pgstub: $pgstub_health_port)
"
fi

cat <<EOF2

The mesh is running (logs in $log_dir). Try:

  curl -s -X POST http://127.0.0.1:$gateway_port/v1/payments -H 'Content-Type: application/json' \\
    -d '{"account_id":"acc-000013","amount_cents":100,"currency":"USD","merchant":"shop"}'
  curl -s http://127.0.0.1:$gateway_port/readyz
  curl -s http://127.0.0.1:$gateway_port/metrics

  grpcurl ${g}127.0.0.1:$engine_port list
  grpcurl ${g}-d '{"algorithm":"ALGORITHM_SHA256","rounds":100,"data":"aGVsbG8="}' \\
    127.0.0.1:$engine_port hashmesh.engine.v1.HashEngine/Hash
  grpcurl ${g}-d '{"account_id":"acc-000042"}' 127.0.0.1:$pgstub_port hashmesh.pgstub.v1.AccountStore/GetAccount
  grpcurl ${g}-d '{"service":""}' 127.0.0.1:$engine_port grpc.health.v1.Health/Check
$health_note
  (no grpcurl? hashmesh-grpc speaks the same reflection and options, built in $bin/tools:)
  $bin/tools/hashmesh-grpc ${t}127.0.0.1:$engine_port call hashmesh.engine.v1.HashEngine/Hash \\
    '{"algorithm":"ALGORITHM_SHA256","rounds":100,"data":"aGVsbG8="}'

Ctrl-C stops all three.
EOF2
wait
