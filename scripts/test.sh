#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (missing packages only), builds, and runs
# every test: the release build, then again under AddressSanitizer + UBSan and
# under ThreadSanitizer; then clang-tidy on every hashmesh source but the
# Google Benchmark binaries (scripts/tidy.sh, over the asan build's compile
# commands: nothing is compiled again; a finding fails) and the Dockerfile's
# build stage; then the fuzz targets under clang + libFuzzer (each corpus
# replayed, each target fuzzed FUZZ_SECONDS, default 30: a smoke run; the
# campaigns run outside CI, tests/fuzz/README.md).
#
#   scripts/test.sh                          # everything (what CI runs)
#   PRESETS=release scripts/test.sh          # some presets only
#   TIDY=0 IMAGE_STAGE=0 FUZZ=0 scripts/test.sh   # skip clang-tidy / the image
#                                                 # stage / the fuzz stage
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install_deps.sh
presets=${PRESETS:-release asan tsan}
jobs=${JOBS:-$(nproc)}

for preset in $presets; do
  echo "== [$preset] configure + build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== [$preset] test"
  ctest --preset "$preset" -j "$jobs"
done

if [[ ${TIDY:-1} != 0 ]]; then
  echo "== [tidy] clang-tidy on hashmesh's sources (a finding fails)"
  JOBS=$jobs scripts/tidy.sh
fi

if [[ ${IMAGE_STAGE:-1} != 0 ]]; then
  echo "== the Dockerfile's build stage, on this host (deploy/README.md)"
  deploy/docker/build_stage.sh --out build/image-stage
fi

if [[ ${FUZZ:-1} != 0 ]]; then
  echo "== [fuzz] build the fuzz targets (clang-14, libFuzzer, ASan + UBSan)"
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$jobs"
  for target in $(tests/fuzz/run.sh list); do
    echo "== [fuzz] $target: replay the corpus, then fuzz ${FUZZ_SECONDS:-30} s"
    FUZZ_BUILD=0 tests/fuzz/run.sh "$target" 0
    FUZZ_BUILD=0 tests/fuzz/run.sh "$target" "${FUZZ_SECONDS:-30}"
  done
fi
