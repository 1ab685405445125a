#!/usr/bin/env bash
# bench/run.sh: the one-command hashmesh benchmark (issue 6).
#
#   bench/run.sh              # full run (~15 min on 2 cores: ~10 of load, ~5 of timed clean build)
#   bench/run.sh --quick      # smoke run, under a minute once built
#   bench/run.sh --help       # every option (configs, rounds, connections, duration, ports, ...)
#
# Builds the release preset (build/release), then for each configuration starts
# fresh processes on 127.0.0.1 (the mesh with batch streams, the same over
# mutual TLS and with unary calls, the in-process gateway, an nginx floor),
# warms up, measures with wrk -t2 and bench/wrk/payments.lua (or
# hashmesh-loadgen for the engine/pgstub alone),
# samples memory and CPU from /proc, and writes bench/results/<timestamp>/
# {results.json,report.md,chart.png,logs/}. Every process it starts is stopped
# on exit, Ctrl-C or SIGTERM. How to read the report: bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in python3 cmake ninja wrk gnuplot getconf; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "bench/run.sh: missing ${missing[*]}; install them with: scripts/install_deps.sh --bench" >&2
  exit 1
fi
exec python3 bench/lib/hashbench.py "$@"
