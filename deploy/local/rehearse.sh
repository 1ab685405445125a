#!/usr/bin/env bash
# The Kubernetes topology as local processes: pgstub, two engine replicas and
# the gateway, each started with the flagfile its pods get from the ConfigMap
# (deploy/k8s/base/flags/*.flags). The only overrides are what Kubernetes
# provides and a laptop does not:
#   --listen=127.0.0.1:PORT   pods listen on 0.0.0.0 in their own network namespace
#   --admin_listen=127.0.0.1:PORT   the same for the gateway's admin port (/metrics)
#   --engine_target/--store_target=ipv4:...   the pod IPs the headless Services'
#                             DNS would return (same round_robin policy)
#
#   deploy/local/rehearse.sh                  # run until Ctrl-C, then SIGTERM all
#   deploy/local/rehearse.sh --measure=20 [--connections=1000]
#                        # wrk load for 20 s (64 connections by default), then
#                        # print each process's RSS (VmRSS) and peak (VmHWM)
#   BIN_DIR=build/h-deploy deploy/local/rehearse.sh --engine-log-level=debug
#
# Ports: PORT_GATEWAY (8080), PORT_ADMIN (9090: the gateway's /metrics),
# PORT_PGSTUB (50052), PORT_ENGINE_A (50051), PORT_ENGINE_B (50061). Logs go
# to $LOG_DIR (a temporary directory).
# tests/deploy/rehearsal_e2e_test.cc asserts on the same topology.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
flags_dir="$root/deploy/k8s/base/flags"
bin_dir=${BIN_DIR:-$root/build/release}
[[ "$bin_dir" = /* ]] || bin_dir="$root/$bin_dir"
port_gateway=${PORT_GATEWAY:-8080}
port_admin=${PORT_ADMIN:-9090}
port_pgstub=${PORT_PGSTUB:-50052}
port_engine_a=${PORT_ENGINE_A:-50051}
port_engine_b=${PORT_ENGINE_B:-50061}
log_dir=${LOG_DIR:-$(mktemp -d /tmp/hashmesh-rehearsal.XXXXXX)}
measure_seconds=0
connections=64
engine_log_level=""

for arg in "$@"; do
  case "$arg" in
    --measure) measure_seconds=20 ;;
    --measure=*) measure_seconds=${arg#--measure=} ;;
    --connections=*) connections=${arg#--connections=} ;;
    --engine-log-level=*) engine_log_level=${arg#--engine-log-level=} ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "rehearse.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

engine_bin="$bin_dir/services/engine/hashmesh-engine"
pgstub_bin="$bin_dir/services/pgstub/hashmesh-pgstub"
gateway_bin="$bin_dir/gateway/hashmesh-gateway"
for b in "$engine_bin" "$pgstub_bin" "$gateway_bin"; do
  [[ -x "$b" ]] || { echo "rehearse.sh: $b not built (cmake --build --preset release)" >&2; exit 1; }
done

declare -A pids=()
stop_all() {
  local name
  for name in gateway engine-a engine-b pgstub; do
    if [[ -n "${pids[$name]:-}" ]]; then kill -TERM "${pids[$name]}" 2>/dev/null || true; fi
  done
  for name in "${!pids[@]}"; do
    if wait "${pids[$name]}" 2>/dev/null; then
      echo "rehearse.sh: $name exited 0"
    else
      echo "rehearse.sh: $name exited $?"
    fi
  done
  pids=()
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# start NAME ARGV...: runs ARGV in the background with its output in NAME.log,
# and waits for the "serving on"/"listening on" line every binary logs.
start() {
  local name=$1; shift
  echo "+ $*" | sed "s|$root/||g" >"$log_dir/$name.cmd"
  "$@" >"$log_dir/$name.log" 2>&1 &
  pids[$name]=$!
  local deadline=$((SECONDS + 60))
  until grep -qs "serving on\|listening on" "$log_dir/$name.log"; do
    if ! kill -0 "${pids[$name]}" 2>/dev/null; then
      echo "rehearse.sh: $name exited during start-up:" >&2; cat "$log_dir/$name.log" >&2; exit 1
    fi
    ((SECONDS < deadline)) || { echo "rehearse.sh: $name did not start" >&2; exit 1; }
    sleep 0.1
  done
  echo "rehearse.sh: $name pid ${pids[$name]}: $(cat "$log_dir/$name.cmd")"
}

engine_extra=()
[[ -n "$engine_log_level" ]] && engine_extra=("--log_level=$engine_log_level")

start pgstub "$pgstub_bin" --flagfile="$flags_dir/pgstub.flags" --listen="127.0.0.1:$port_pgstub"
start engine-a "$engine_bin" --flagfile="$flags_dir/engine.flags" --listen="127.0.0.1:$port_engine_a" "${engine_extra[@]}"
start engine-b "$engine_bin" --flagfile="$flags_dir/engine.flags" --listen="127.0.0.1:$port_engine_b" "${engine_extra[@]}"
start gateway "$gateway_bin" --flagfile="$flags_dir/gateway.flags" --listen="127.0.0.1:$port_gateway" \
  --admin_listen="127.0.0.1:$port_admin" \
  --store_target="ipv4:127.0.0.1:$port_pgstub" \
  --engine_target="ipv4:127.0.0.1:$port_engine_a,127.0.0.1:$port_engine_b"

# What the readinessProbe waits for: both upstreams SERVING.
deadline=$((SECONDS + 30))
until curl -fsS -o /dev/null "http://127.0.0.1:$port_gateway/readyz"; do
  ((SECONDS < deadline)) || { echo "rehearse.sh: gateway never became ready" >&2; exit 1; }
  sleep 0.2
done
echo "rehearse.sh: ready; logs in $log_dir"

# rss NAME: "VmRSS VmHWM" of one process, in MiB.
rss() {
  awk '/^VmRSS|^VmHWM/ {v[$1] = $2} END {printf "%6.1f MiB RSS  %6.1f MiB peak", v["VmRSS:"] / 1024, v["VmHWM:"] / 1024}' \
    "/proc/${pids[$1]}/status"
}
report() {
  local name
  echo "== RSS $1"
  for name in pgstub engine-a engine-b gateway; do printf '  %-9s %s\n' "$name" "$(rss "$name")"; done
}

if ((measure_seconds > 0)); then
  command -v wrk >/dev/null || { echo "rehearse.sh: --measure needs wrk (scripts/install_deps.sh --bench)" >&2; exit 1; }
  sleep 2
  report "idle (after start-up)"
  wrk -t2 -c"$connections" -d"${measure_seconds}s" -s "$root/bench/wrk/payments.lua" "http://127.0.0.1:$port_gateway" | sed 's/^/  wrk: /'
  report "after ${measure_seconds}s of wrk -t2 -c$connections (peak = VmHWM)"
  exit 0
fi

cat <<EOF
Try:
  curl -s -X POST -H 'Content-Type: application/json' \\
    -d '{"account_id":"acc-000042","amount_cents":1299,"currency":"GBP","merchant":"corner-cafe","memo":"latte"}' \\
    http://127.0.0.1:$port_gateway/v1/payments
  curl -s http://127.0.0.1:$port_admin/metrics | head    # 404 on $port_gateway
  $bin_dir/tools/hashmesh-grpc 127.0.0.1:$port_engine_a list
  kill -KILL ${pids[engine-a]}    # the gateway keeps answering through engine-b
Ctrl-C stops everything (SIGTERM, drain).
EOF
wait
