#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (missing packages only), builds, and runs
# every test: the release build, then again under AddressSanitizer + UBSan.
#
#   scripts/test.sh                 # everything (what CI runs)
#   PRESETS=release scripts/test.sh # one preset only
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install_deps.sh
presets=${PRESETS:-release asan}
jobs=${JOBS:-$(nproc)}

for preset in $presets; do
  echo "== [$preset] configure + build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== [$preset] test"
  ctest --preset "$preset" -j "$jobs"
done

echo "== the Dockerfile's build stage, on this host (deploy/README.md)"
deploy/docker/build_stage.sh --out build/image-stage
