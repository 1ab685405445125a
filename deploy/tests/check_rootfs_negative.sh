#!/usr/bin/env bash
# deploy/docker/check_rootfs.sh must reject a runtime tree that lacks a
# library or has a truncated one, holds a shell, a stray file, a writable file, or has no entry for
# uid 65532: check doctored copies of a staged tree (build_stage.sh's --out
# DIR, which ctest's deploy_image_stage leaves) and expect each failure with
# its reason.
#   deploy/tests/check_rootfs_negative.sh STAGE_DIR WORK_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
stage=$1
work=$2
[[ -d "$stage/rootfs" && -d "$stage/bin" ]] || { echo "check_rootfs_negative.sh: no staged tree in $stage" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work"

fail=0
# expect NAME EXPECTED_MESSAGE: check the copy in $work/NAME, which must fail
# with a line matching EXPECTED_MESSAGE.
expect() {
  local name=$1 message=$2
  if "$root/deploy/docker/check_rootfs.sh" "$work/$name" "$stage"/bin/* >"$work/$name.log" 2>&1; then
    cat "$work/$name.log"; echo "FAIL $name: accepted" >&2; fail=1
  elif ! grep -q -- "$message" "$work/$name.log"; then
    cat "$work/$name.log"; echo "FAIL $name: rejected, but not with '$message'" >&2; fail=1
  else
    echo "ok   $name: $(grep -m1 -- "$message" "$work/$name.log" | sed 's/^ *//')"
  fi
}
copy() { cp -a "$stage/rootfs" "$work/$1"; }

copy missing-library
n=$(find "$work/missing-library" -name 'libspdlog.so*' | wc -l)
((n > 0)) || { echo "check_rootfs_negative.sh: the staged tree has no libspdlog" >&2; exit 1; }
find "$work/missing-library" -name 'libspdlog.so*' -delete
expect missing-library 'libspdlog.so.* resolves to .*not inside the tree'

copy truncated-library
lib=$(find "$work/truncated-library" -name 'libspdlog.so.*' -type f | head -n 1)
: >"$lib"
expect truncated-library "cannot load it"

copy with-shell
install -d "$work/with-shell/usr/bin"
cp /bin/dash "$work/with-shell/usr/bin/sh"
expect with-shell '/usr/bin/sh: a shell or system tool'

copy stray-file
echo 'apt' >"$work/stray-file/etc/apt.conf"
expect stray-file '/etc/apt.conf: neither a shared library'

copy no-user
sed -i '/:65532:/d' "$work/no-user/etc/passwd"
expect no-user 'no entry for uid:gid 65532:65532'

copy writable
chmod o+w "$work/writable/etc/passwd"
expect writable '/etc/passwd: setuid/setgid or writable'

((fail == 0)) || exit 1
echo "ok: check_rootfs.sh rejects each doctored tree for its reason"
