#!/usr/bin/env bash
# deploy/docker/build_stage.sh must fail when install_deps.sh --runtime misses
# a library the binaries load: run it with a copy of the deps script whose
# runtime list lacks libspdlog1.10 and expect the failure and its message.
#   deploy/tests/build_stage_negative.sh BUILD_DIR WORK_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=$1
work=$2
rm -rf "$work" && mkdir -p "$work"
sed '/^runtime_pkgs=(/,/)/s/ libspdlog1\.10//' "$root/scripts/install_deps.sh" >"$work/install_deps.sh"
chmod +x "$work/install_deps.sh"
grep -q 'libspdlog1.10' <(sed -n '/^runtime_pkgs=(/,/)/p' "$work/install_deps.sh") &&
  { echo "build_stage_negative.sh: could not remove libspdlog1.10 from the copy" >&2; exit 1; }
if INSTALL_DEPS="$work/install_deps.sh" "$root/deploy/docker/build_stage.sh" --no-build \
     --build-dir "$build_dir" --out "$work/stage" >"$work/log" 2>&1; then
  cat "$work/log"; echo "build_stage_negative.sh: build_stage.sh accepted a runtime list without libspdlog1.10" >&2; exit 1
fi
grep -q 'libspdlog.so.* is in package libspdlog1.10, which' "$work/log" ||
  { cat "$work/log"; echo "build_stage_negative.sh: failed, but not for the missing library" >&2; exit 1; }
echo "ok: build_stage.sh rejects a runtime package list without libspdlog1.10"
