#!/usr/bin/env bash
# The hashmesh demo: installs what is missing, builds the release preset, starts
# pgstub, engine and gateway on localhost, waits until the gateway is ready,
# sends one payment, prints commands to try, and keeps the mesh running until
# Ctrl-C, which stops all three cleanly.
#
#   scripts/demo.sh            # run until Ctrl-C
#   scripts/demo.sh --check    # start, send the payment, stop (a smoke test)
#
# Ports: GATEWAY_PORT (8080), ENGINE_PORT (50051), PGSTUB_PORT (50052).
# Logs:  LOG_DIR (default: a fresh folder under /tmp), one file per service.
set -euo pipefail
cd "$(dirname "$0")/.."

check_only=false
case "${1:-}" in
  --check) check_only=true ;;
  "") ;;
  *) echo "usage: scripts/demo.sh [--check]" >&2; exit 2 ;;
esac

gateway_port=${GATEWAY_PORT:-8080}
engine_port=${ENGINE_PORT:-50051}
pgstub_port=${PGSTUB_PORT:-50052}
bin=build/release

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for spec in "gateway:$gateway_port:GATEWAY_PORT" "engine:$engine_port:ENGINE_PORT" \
            "pgstub:$pgstub_port:PGSTUB_PORT"; do
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
say "starting the mesh"
start pgstub "$bin/services/pgstub/hashmesh-pgstub" --listen="127.0.0.1:$pgstub_port"
start engine "$bin/services/engine/hashmesh-engine" --listen="127.0.0.1:$engine_port"
start gateway "$bin/gateway/hashmesh-gateway" --listen="127.0.0.1:$gateway_port" \
  --store_target="127.0.0.1:$pgstub_port" --engine_target="127.0.0.1:$engine_port"

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

if $check_only; then
  exit 0
fi

cat <<EOF2

The mesh is running (logs in $log_dir). Try:

  curl -s -X POST http://127.0.0.1:$gateway_port/v1/payments -H 'Content-Type: application/json' \\
    -d '{"account_id":"acc-000013","amount_cents":100,"currency":"USD","merchant":"shop"}'
  curl -s http://127.0.0.1:$gateway_port/readyz
  curl -s http://127.0.0.1:$gateway_port/metrics

  grpcurl -plaintext 127.0.0.1:$engine_port list
  grpcurl -plaintext -d '{"algorithm":"ALGORITHM_SHA256","rounds":100,"data":"aGVsbG8="}' \\
    127.0.0.1:$engine_port hashmesh.engine.v1.HashEngine/Hash
  grpcurl -plaintext -d '{"account_id":"acc-000042"}' 127.0.0.1:$pgstub_port hashmesh.pgstub.v1.AccountStore/GetAccount
  grpcurl -plaintext -d '{"service":""}' 127.0.0.1:$engine_port grpc.health.v1.Health/Check

  (no grpcurl? hashmesh-grpc speaks the same reflection, built in $bin/tools:)
  $bin/tools/hashmesh-grpc 127.0.0.1:$engine_port call hashmesh.engine.v1.HashEngine/Hash \\
    '{"algorithm":"ALGORITHM_SHA256","rounds":100,"data":"aGVsbG8="}'

Ctrl-C stops all three.
EOF2
wait
