#!/usr/bin/env bash
# Runs one libFuzzer target of tests/fuzz on its committed corpus and
# dictionary (building the fuzz preset first if needed).
#
#   tests/fuzz/run.sh TARGET SECONDS          # fuzz; new inputs go to scratch
#   tests/fuzz/run.sh TARGET SECONDS --merge  # then minimise them into the corpus
#   tests/fuzz/run.sh TARGET 0                # replay the corpus only (CI)
#   tests/fuzz/run.sh list                    # the targets
#
# TARGET is a corpus name (payment_request, http_request, engine_request,
# pgstub_request, grpc_json). New inputs land in build/fuzz/scratch/TARGET,
# crashes in build/fuzz/artifacts/TARGET/. Extra libFuzzer flags may follow
# after `--`. FUZZ_BUILD=0 skips the (incremental) build.
set -euo pipefail
cd "$(dirname "$0")/../.."

targets=(payment_request http_request engine_request pgstub_request grpc_json)
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

[[ $# -ge 1 ]] || usage
if [[ $1 == list ]]; then
  printf '%s\n' "${targets[@]}"
  exit 0
fi
[[ $# -ge 2 ]] || usage
target=$1 seconds=$2
shift 2
merge=0
if [[ ${1:-} == --merge ]]; then merge=1; shift; fi
if [[ ${1:-} == -- ]]; then shift; fi
[[ " ${targets[*]} " == *" $target "* ]] || { echo "unknown target: $target" >&2; usage; }
[[ $seconds =~ ^[0-9]+$ ]] || usage

binary=build/fuzz/tests/fuzz/fuzz_$target
corpus=tests/fuzz/corpus/$target
scratch=build/fuzz/scratch/$target
artifacts=build/fuzz/artifacts/$target/
if [[ ${FUZZ_BUILD:-1} != 0 ]]; then
  [[ -f build/fuzz/CMakeCache.txt ]] || cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "${JOBS:-$(nproc)}" --target "fuzz_$target"
fi
mkdir -p "$scratch" "$artifacts"

# A finding stops the run with its stack; leaks count as findings too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# The HTTP target needs room for a header over the 8 KiB limit.
max_len=8192
[[ $target == http_request ]] && max_len=16384
common=(-dict="tests/fuzz/dict/$target.dict" -max_len="$max_len" -timeout=10
        -rss_limit_mb=2048 -artifact_prefix="$artifacts" -print_final_stats=1)

if [[ $seconds == 0 ]]; then
  "$binary" "${common[@]}" -runs=0 "$@" "$corpus"
  exit 0
fi
# The first directory receives new inputs: the committed corpus stays as it
# is until a merge.
"$binary" "${common[@]}" -max_total_time="$seconds" "$@" "$scratch" "$corpus"
if [[ $merge == 1 ]]; then
  "$binary" "${common[@]}" -merge=1 "$corpus" "$scratch"
fi
