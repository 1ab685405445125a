#!/usr/bin/env bash
# clang-tidy (.clang-tidy's checks, every finding an error) on each hashmesh
# source of an existing build's compile_commands.json: generated protobuf code
# and the Google Benchmark binaries (*_bench.cc: the library's loop and
# registration macros read as dead stores and leaks) are left out. Run after a
# build, so that generated headers exist; nothing is compiled again. The
# Clang static analyzer (clang-analyzer-*, path-sensitive and about two thirds
# of the time) runs on the product's sources; tests get every other check.
#
#   scripts/tidy.sh [BUILD_DIR]      # default build/asan, else build/release
#   JOBS=4 scripts/tidy.sh build/release
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-}
if [[ -z $build ]]; then
  for candidate in build/asan build/release; do
    [[ -f $candidate/compile_commands.json ]] && build=$candidate && break
  done
fi
if [[ -z $build || ! -f $build/compile_commands.json ]]; then
  echo "tidy.sh: no compile_commands.json; build a preset first" >&2
  exit 2
fi
root=$(pwd)
# Prints the sources to check, "product" or "test" before each.
list_sources() {
  python3 - "$build/compile_commands.json" "$root" <<'PY'
import json, sys
db, root = sys.argv[1], sys.argv[2]
for entry in json.load(open(db)):
    path = entry["file"]
    rel = path[len(root) + 1:] if path.startswith(root + "/") else None
    if rel is None or rel.startswith("build/") or rel.endswith("_bench.cc") \
            or rel.endswith("simdjson_payment.cc"):
        continue
    print("test" if rel.startswith("tests/") else "product", path)
PY
}
mapfile -t product < <(list_sources | sed -n 's/^product //p')
mapfile -t tests < <(list_sources | sed -n 's/^test //p')
echo "clang-tidy on ${#product[@]} product and ${#tests[@]} test sources ($build)"
# One clang-tidy per source, JOBS at a time; each prints only its findings.
tidy() {
  xargs -P "${JOBS:-$(nproc)}" -n 1 clang-tidy-14 -p "$build" --quiet \
    --warnings-as-errors='*' "$@"
}
status=0
{
  printf '%s\n' "${product[@]}" | tidy || status=1
  printf '%s\n' "${tests[@]}" | tidy --checks='-clang-analyzer-*' || status=1
} >"$build/tidy.log" 2>&1
if [[ $status != 0 ]]; then
  grep -E "(warning|error):" "$build/tidy.log" | sort -u
  echo "tidy.sh: findings above (full log: $build/tidy.log)" >&2
  exit 1
fi
echo "clang-tidy: no findings"
