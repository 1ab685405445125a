#!/usr/bin/env bash
# The build stage of deploy/docker/Dockerfile, as a script that runs the same
# on a Debian 12 host (CI runs it) as in the image build, so the Dockerfile
# cannot silently rot: install the build dependencies with the project
# script, configure + build the release preset, install the three binaries
# (stripped) into DIR/bin, and assemble DIR/rootfs, the whole runtime image
# below the binaries: the loader, every shared library they load, the CA
# bundle, passwd/group for uid 65532. deploy/docker/check_rootfs.sh then
# proves that tree holds nothing else (no shell) and that each binary starts
# in it, chrooted, as 65532.
#
#   deploy/docker/build_stage.sh --out DIR                 # what the Dockerfile runs
#   deploy/docker/build_stage.sh --out DIR --build-dir build/h-deploy --no-build
#                                  # stage + verify binaries built elsewhere
# Environment: JOBS (parallel build jobs, default nproc).
set -euo pipefail
cd "$(dirname "$0")/../.."

out=""
preset=release
build_dir=""
build=1
while (($#)); do
  case "$1" in
    --out=*) out=${1#--out=} ;;
    --preset=*) preset=${1#--preset=} ;;
    --build-dir=*) build_dir=${1#--build-dir=} ;;
    --out) out=${2:?--out needs a directory}; shift ;;
    --preset) preset=${2:?--preset needs a name}; shift ;;
    --build-dir) build_dir=${2:?--build-dir needs a directory}; shift ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "build_stage.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ -n "$out" ]] || { echo "build_stage.sh: --out DIR is required" >&2; exit 2; }
# The presets put their build tree in build/<preset> (CMakePresets.json).
build_dir=${build_dir:-build/$preset}
binaries=(services/pgstub/hashmesh-pgstub services/engine/hashmesh-engine gateway/hashmesh-gateway)

if ((build)); then
  echo "== build_stage: dependencies (scripts/install_deps.sh)"
  scripts/install_deps.sh
  echo "== build_stage: configure + build, preset $preset"
  cmake --preset "$preset" -B "$build_dir" >/dev/null
  cmake --build "$build_dir" -j "${JOBS:-$(nproc)}" \
    --target hashmesh-pgstub hashmesh-engine hashmesh-gateway
fi

echo "== build_stage: install into $out/bin"
install -d "$out/bin"
for b in "${binaries[@]}"; do
  [[ -x "$build_dir/$b" ]] || { echo "build_stage.sh: $build_dir/$b missing" >&2; exit 1; }
  # Stripped: the debug info stays in the build stage, not in every pod.
  install -m 0755 -s "$build_dir/$b" "$out/bin/$(basename "$b")"
done

echo "== build_stage: runtime root filesystem in $out/rootfs"
# Exactly what the binaries need at run time, copied from this (Debian 12)
# build stage: the loader and every shared library they load, the CA bundle,
# and the passwd/group entries of the user they run as. No shell, no package
# manager, no coreutils: the runtime image is FROM scratch plus this tree.
rootfs=$out/rootfs
rm -rf "$rootfs"
install -d "$rootfs/usr/lib" "$rootfs/usr/lib64" "$rootfs/etc/ssl/certs" "$rootfs/usr/local/bin"
# Debian 12 is merged-/usr: /lib and /lib64 are links into /usr, and ldd
# names libraries by either path, so the image gets the same links.
ln -s usr/lib "$rootfs/lib"
ln -s usr/lib64 "$rootfs/lib64"
# Copies PATH into the rootfs at the same place, symlink chain included
# (libfoo.so.1 -> libfoo.so.1.2.3), so the loader finds it by either name.
copy_path() {
  local path=$1 target dir
  while :; do
    dir=$(dirname "$path")
    # Resolve the directory (e.g. /lib -> /usr/lib) but not the file itself.
    dir=$(readlink -f "$dir")
    path=$dir/$(basename "$path")
    install -d "$rootfs$dir"
    if [[ -L "$path" ]]; then
      target=$(readlink "$path")
      [[ -e "$rootfs$path" || -L "$rootfs$path" ]] || ln -s "$target" "$rootfs$path"
      [[ "$target" == /* ]] && path=$target || path=$dir/$target
    else
      [[ -e "$rootfs$path" ]] || cp "$path" "$rootfs$path"
      return
    fi
  done
}
for b in "$out"/bin/*; do
  libs=$(ldd "$b") || { echo "build_stage.sh: ldd $b failed" >&2; exit 1; }
  if grep -q 'not found' <<<"$libs"; then
    echo "build_stage.sh: $(basename "$b") has unresolved libraries:" >&2; grep 'not found' <<<"$libs" >&2; exit 1
  fi
  # "libx.so => /path (addr)" lines and the loader's own "/path (addr)" line.
  while read -r lib; do copy_path "$lib"; done < <(
    awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' <<<"$libs")
done
# gRPC and OpenSSL verify servers against this bundle (the Dockerfile points
# GRPC_DEFAULT_SSL_ROOTS_FILE_PATH and SSL_CERT_FILE at it).
ca_bundle=/etc/ssl/certs/ca-certificates.crt
[[ -s $ca_bundle ]] || { echo "build_stage.sh: $ca_bundle missing (Debian package ca-certificates)" >&2; exit 1; }
install -m 0644 "$ca_bundle" "$rootfs$ca_bundle"
# The user the images run as (numeric USER in the Dockerfile and runAsUser in
# the manifests); the entries only give it a name in logs and tools.
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$rootfs/etc/group"
# glibc's default without this file asks DNS before /etc/hosts; a pod's
# /etc/hosts (written by the kubelet) must win, as on any Debian host.
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
chmod -R go-w "$rootfs"
echo "   $(find "$rootfs" -type f | wc -l) files, $(du -sh "$rootfs" | cut -f1)"

echo "== build_stage: check the rootfs"
deploy/docker/check_rootfs.sh "$rootfs" "$out"/bin/*
