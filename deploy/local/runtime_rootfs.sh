#!/usr/bin/env bash
# The runtime image rehearsed without Docker (root only; needs debootstrap and
# Debian's archive): a minimal bookworm root filesystem gets exactly what the
# Dockerfile's runtime stage gives it (scripts/install_deps.sh --runtime, the
# binaries staged by deploy/docker/build_stage.sh, the ConfigMap flagfiles at
# /etc/hashmesh), then the three services run in it the way the manifests run
# them: as uid:gid 65532:65532, on a read-only root, with every shell replaced
# by /dev/null (exec-form entrypoints need none). A payment, /readyz and
# reflection must work, and SIGTERM must drain all three.
#
#   sudo deploy/local/runtime_rootfs.sh [ROOTFS_DIR] [STAGE_DIR]
#   (defaults: /tmp/hashmesh-rootfs, and build_stage.sh's output of build/release)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rootfs=${1:-/tmp/hashmesh-rootfs}
stage=${2:-}

if [[ "${HASHMESH_IN_NAMESPACE:-}" != 1 ]]; then
  [[ $(id -u) -eq 0 ]] || { echo "runtime_rootfs.sh: needs root (debootstrap, chroot, mounts)" >&2; exit 1; }
  command -v debootstrap >/dev/null || apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  if [[ -z "$stage" ]]; then
    stage=$(mktemp -d /tmp/hashmesh-stage.XXXXXX)
    "$root/deploy/docker/build_stage.sh" --no-build --build-dir "$root/build/release" --out "$stage"
  fi
  if [[ ! -x "$rootfs/usr/bin/apt-get" ]]; then
    echo "== debootstrap --variant=minbase bookworm $rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
  fi
  echo "== runtime stage: install_deps.sh --runtime, binaries, flagfiles"
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  cp "$root/scripts/install_deps.sh" "$rootfs/tmp/install_deps.sh"
  chroot "$rootfs" /tmp/install_deps.sh --runtime
  rm -rf "$rootfs/var/lib/apt/lists/"* "$rootfs/tmp/install_deps.sh"
  install -m 0755 "$stage"/bin/hashmesh-* "$rootfs/usr/local/bin/"
  mkdir -p "$rootfs/etc/hashmesh"
  cp "$root"/deploy/k8s/base/flags/*.flags "$rootfs/etc/hashmesh/"
  # The rest runs in a private mount namespace, so the mounts vanish with it.
  HASHMESH_IN_NAMESPACE=1 exec unshare -m "$0" "$rootfs" "$stage"
fi

mount --bind "$rootfs" "$rootfs"
mount -o remount,bind,ro "$rootfs"
for sh in /usr/bin/sh /usr/bin/dash /usr/bin/bash; do
  [[ -e "$rootfs$sh" ]] && mount --bind /dev/null "$rootfs$sh"
done
mount -t proc proc "$rootfs/proc"
touch "$rootfs/probe" 2>/dev/null && { echo "runtime_rootfs.sh: root is writable" >&2; exit 1; }
log=$(mktemp -d /tmp/hashmesh-rootfs-logs.XXXXXX)
pids=()
run() {
  local name=$1; shift
  chroot --userspec=65532:65532 "$rootfs" "$@" >"$log/$name.log" 2>&1 &
  pids+=($!)
}
run pgstub /usr/local/bin/hashmesh-pgstub --flagfile=/etc/hashmesh/pgstub.flags --listen=127.0.0.1:25052
run engine /usr/local/bin/hashmesh-engine --flagfile=/etc/hashmesh/engine.flags --listen=127.0.0.1:25051
run gateway /usr/local/bin/hashmesh-gateway --flagfile=/etc/hashmesh/gateway.flags --listen=127.0.0.1:28080 \
  --admin_listen=127.0.0.1:29090 \
  --store_target=ipv4:127.0.0.1:25052 --engine_target=ipv4:127.0.0.1:25051
trap 'kill -TERM "${pids[@]}" 2>/dev/null || true' EXIT

for _ in $(seq 100); do
  curl -fs -o /dev/null http://127.0.0.1:28080/readyz && break
  sleep 0.1
done
ps -o user=,args= -p "$(IFS=,; echo "${pids[*]}")" | sed 's/^/  /'
body=$(curl -fsS -X POST -H 'Content-Type: application/json' \
  -d '{"account_id":"acc-000042","amount_cents":1299,"currency":"GBP","merchant":"corner-cafe","memo":"latte"}' \
  http://127.0.0.1:28080/v1/payments)
[[ "$body" == *'"payment_id":"pay-c823733de082fd1d"'* ]] || { echo "unexpected payment answer: $body" >&2; exit 1; }
echo "  payment: 201 pay-c823733de082fd1d"
echo "  readyz: $(curl -fsS http://127.0.0.1:28080/readyz)"
if [[ -x "$root/build/release/tools/hashmesh-grpc" ]]; then
  echo "  engine reflection: $("$root/build/release/tools/hashmesh-grpc" 127.0.0.1:25051 list | tr '\n' ' ')"
fi
trap - EXIT
kill -TERM "${pids[@]}"
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
((status == 0)) || { echo "runtime_rootfs.sh: a service did not exit 0 after SIGTERM" >&2; cat "$log"/*.log >&2; exit 1; }
echo "ok: the runtime image's contents run as 65532 on a read-only root without a shell; logs in $log"
