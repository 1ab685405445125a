#!/usr/bin/env bash
# The runtime image run without Docker (root only; ctest runs it as
# deploy_image_rootfs_e2e): deploy/docker/build_stage.sh assembles and checks
# the tree the Dockerfile copies onto FROM scratch, then the three services
# run in that tree the way a pod runs them: chrooted, as uid:gid 65532:65532,
# on a read-only root, with what the container runtime and the kubelet add
# (/proc, /sys, /dev, /etc/hosts, the ConfigMap flagfiles at /etc/hashmesh)
# and nothing else, so no shell. A payment, /readyz, /metrics on the admin
# port and a DNS target must work, and SIGTERM must drain all three.
#
#   sudo deploy/local/runtime_rootfs.sh [--build-dir DIR] [--work DIR]
#   sudo deploy/local/runtime_rootfs.sh --stage DIR [--work DIR]
#   (defaults: stage build/release's binaries; a temporary directory. --stage
#   takes a tree build_stage.sh has already staged and checked)
# Exit status 77: not root, or no mount namespaces here (nothing was checked).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=$root/build/release
work=""
stage=""
while (($#)); do
  case "$1" in
    --build-dir) build_dir=${2:?}; shift ;;
    --work) work=${2:?}; shift ;;
    --stage) stage=${2:?}; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "runtime_rootfs.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [[ "${HASHMESH_IN_NAMESPACE:-}" != 1 ]]; then
  if [[ $(id -u) -ne 0 ]] || ! unshare -m true 2>/dev/null; then
    echo "runtime_rootfs.sh: SKIPPED: needs root and mount namespaces (chroot, read-only bind mounts)" >&2
    exit 77
  fi
  command -v curl >/dev/null || { echo "runtime_rootfs.sh: needs curl" >&2; exit 1; }
  work=${work:-$(mktemp -d /tmp/hashmesh-rootfs.XXXXXX)}
  rm -rf "$work" && mkdir -p "$work"
  if [[ -z "$stage" ]]; then
    stage=$work/stage
    "$root/deploy/docker/build_stage.sh" --no-build --build-dir "$build_dir" --out "$stage"
  fi
  # The image: the tree plus the binaries (the Dockerfile's targets add one
  # each; all three here), then what Kubernetes mounts into the container.
  tree=$work/tree
  cp -a "$stage/rootfs" "$tree"
  install -m 0755 "$stage"/bin/hashmesh-* "$tree/usr/local/bin/"
  install -d "$tree/etc/hashmesh" "$tree/proc" "$tree/sys" "$tree/dev"
  cp "$root"/deploy/k8s/base/flags/*.flags "$tree/etc/hashmesh/"
  cp /etc/hosts "$tree/etc/hosts"
  # The rest runs in a private mount namespace, so the mounts vanish with it.
  HASHMESH_IN_NAMESPACE=1 exec unshare -m "$0" --build-dir "$build_dir" --work "$work"
fi

tree=$work/tree
log=$work/logs
mkdir -p "$log"
mount --make-rprivate /
mount --bind "$tree" "$tree"
mount -t proc proc "$tree/proc"
mount --rbind /sys "$tree/sys"
mount --rbind /dev "$tree/dev"
mount -o remount,bind,ro "$tree"
touch "$tree/probe" 2>/dev/null && { echo "runtime_rootfs.sh: the root is writable" >&2; exit 1; }

pids=()
run() {
  local name=$1; shift
  chroot --userspec=65532:65532 "$tree" "$@" >"$log/$name.log" 2>&1 &
  pids+=($!)
}
stop_all() { kill -TERM "${pids[@]}" 2>/dev/null || true; }
trap stop_all EXIT
fail() { echo "runtime_rootfs.sh: $*" >&2; tail -n 5 "$log"/*.log >&2; exit 1; }
# port NAME PATTERN: the port in the first log line matching "PATTERN HOST:PORT".
port() {
  local p=""
  for _ in $(seq 300); do
    p=$(grep -o -m1 "$2 [0-9.]*:[0-9]*" "$log/$1.log" 2>/dev/null | sed 's/.*://' || true)
    [[ -n "$p" ]] && { echo "$p"; return; }
    sleep 0.1
  done
  fail "$1 printed no '$2 HOST:PORT' line"
}

# Port 0 everywhere: ctest may run other suites at the same time.
run pgstub /usr/local/bin/hashmesh-pgstub --flagfile=/etc/hashmesh/pgstub.flags --listen=127.0.0.1:0
run engine /usr/local/bin/hashmesh-engine --flagfile=/etc/hashmesh/engine.flags --listen=127.0.0.1:0
pgstub_port=$(port pgstub 'serving on')
engine_port=$(port engine 'serving on')
# The store by name, as in the cluster (dns:///...): gRPC's resolver must
# work in the image with only what the kubelet mounts (/etc/hosts).
run gateway /usr/local/bin/hashmesh-gateway --flagfile=/etc/hashmesh/gateway.flags \
  --listen=127.0.0.1:0 --admin_listen=127.0.0.1:0 \
  --store_target="dns:///localhost:$pgstub_port" --engine_target="ipv4:127.0.0.1:$engine_port"
gateway_port=$(port gateway 'listening on')
admin_port=$(port gateway 'readyz on')

ready=""
for _ in $(seq 300); do
  ready=$(curl -fsS "http://127.0.0.1:$gateway_port/readyz" 2>/dev/null) && break
  sleep 0.1
done
[[ -n "$ready" ]] || fail "the gateway never became ready"
processes=$(ps -o uid=,args= -p "$(IFS=,; echo "${pids[*]}")")
seen=0
while read -r uid args; do
  [[ $args == /usr/local/bin/hashmesh-* ]] || continue
  [[ $uid == 65532 ]] || fail "running as uid $uid, not 65532: $args"
  echo "  uid $uid: $args"
  seen=$((seen + 1))
done <<<"$processes"
((seen == 3)) || fail "expected the three services running, found $seen: $processes"
body=$(curl -fsS -X POST -H 'Content-Type: application/json' \
  -d '{"account_id":"acc-000042","amount_cents":1299,"currency":"GBP","merchant":"corner-cafe","memo":"latte"}' \
  "http://127.0.0.1:$gateway_port/v1/payments") || fail "the payment failed"
[[ "$body" == *'"payment_id":"pay-c823733de082fd1d"'* ]] || fail "unexpected payment answer: $body"
echo "  payment: 201 pay-c823733de082fd1d"
echo "  readyz: $ready"
metrics=$(curl -fsS "http://127.0.0.1:$admin_port/metrics") || fail "no /metrics on the admin port"
grep -q '^hashmesh_http_requests_total' <<<"$metrics" ||
  fail "no hashmesh_http_requests_total on the admin port's /metrics"
echo "  admin /metrics: ok"

trap - EXIT
stop_all
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
((status == 0)) || fail "a service did not exit 0 after SIGTERM"
grep -q drained "$log/engine.log" || fail "the engine did not log its drain"
echo "ok: the runtime image's tree runs all three services as 65532 on a read-only root without a shell; logs in $log"
