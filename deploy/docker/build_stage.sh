#!/usr/bin/env bash
# The build stage of deploy/docker/Dockerfile, as a script that runs the same
# on a Debian 12 host (CI runs it) as in the image build, so the Dockerfile
# cannot silently rot: install the build dependencies with the project
# script, configure + build the release preset, install the three binaries
# (stripped) into a staging directory, then verify what the runtime image
# relies on:
#   - every shared library the binaries load belongs to a package that
#     `scripts/install_deps.sh --runtime` installs (or to one of their
#     dependencies, or to the bookworm-slim base), so the runtime stage has it;
#   - every staged binary starts (--version) with only its own flags parsed.
#
#   deploy/docker/build_stage.sh --out DIR                 # what the Dockerfile runs
#   deploy/docker/build_stage.sh --out DIR --build-dir build/h-deploy --no-build
#                                  # stage + verify binaries built elsewhere
# Environment: JOBS (parallel build jobs, default nproc); INSTALL_DEPS (the
# deps script, default scripts/install_deps.sh; tests/deploy points it at a
# doctored copy to prove the library check fails when a package is missing).
set -euo pipefail
cd "$(dirname "$0")/../.."

install_deps=${INSTALL_DEPS:-scripts/install_deps.sh}
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
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "build_stage.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ -n "$out" ]] || { echo "build_stage.sh: --out DIR is required" >&2; exit 2; }
# The presets put their build tree in build/<preset> (CMakePresets.json).
build_dir=${build_dir:-build/$preset}
binaries=(services/pgstub/hashmesh-pgstub services/engine/hashmesh-engine gateway/hashmesh-gateway)

if ((build)); then
  echo "== build_stage: dependencies ($install_deps)"
  "$install_deps"
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

echo "== build_stage: runtime libraries vs $install_deps --runtime"
# The runtime package list, read from the script itself (its runtime_pkgs=(...)).
mapfile -t runtime_pkgs < <(sed -n '/^runtime_pkgs=(/,/)/p' "$install_deps" |
  tr -d '()' | sed 's/runtime_pkgs=//' | tr ' ' '\n' | sed '/^$/d')
((${#runtime_pkgs[@]} > 0)) || { echo "build_stage.sh: no runtime_pkgs=(...) in $install_deps" >&2; exit 1; }
# Everything `apt-get install --no-install-recommends <runtime_pkgs>` brings in
# on debian:bookworm-slim, whose own packages (libc6, libstdc++6, libgcc-s1,
# zlib1g, ...) are Priority required and always present.
declare -A available=()
while read -r p; do available[$p]=1; done < <(
  apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances "${runtime_pkgs[@]}" 2>/dev/null | grep -v '^ ' | sed 's/:.*//')
while read -r p; do available[$p]=1; done < <(
  dpkg-query -W -f='${Package} ${Priority}\n' | awk '$2 == "required" {print $1}')
# Every library any staged binary loads, with the binaries that load it.
declare -A users=()
missing=0
for b in "$out"/bin/*; do
  if ldd "$b" | grep -q 'not found'; then
    echo "  $(basename "$b"): unresolved libraries:" >&2; ldd "$b" | grep 'not found' >&2; missing=1
  fi
  while read -r lib; do users[$lib]+=" $(basename "$b")"; done < <(
    ldd "$b" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
done
# Their packages, in one dpkg query (dpkg knows a library by the path its
# package installed, the symlink ldd shows or the file it points to).
paths=()
for lib in "${!users[@]}"; do paths+=("$lib" "$(readlink -f "$lib")"); done
declare -A package_of=()
while IFS= read -r line; do
  [[ "$line" == *": /"* ]] || continue
  package_of[${line##*: }]=${line%%[:,]*}
done < <(dpkg -S "${paths[@]}" 2>/dev/null || true)
for lib in $(printf '%s\n' "${!users[@]}" | sort); do
  pkg=${package_of[$lib]:-${package_of[$(readlink -f "$lib")]:-}}
  if [[ -z "$pkg" ]]; then
    echo "  $lib (used by${users[$lib]}) belongs to no Debian package" >&2; missing=1
  elif [[ -z "${available[$pkg]:-}" ]]; then
    echo "  $lib (used by${users[$lib]}) is in package $pkg, which $install_deps --runtime does not install" >&2
    missing=1
  fi
done
((missing == 0)) || { echo "build_stage.sh: the runtime image would miss libraries" >&2; exit 1; }
echo "   ok: every library comes from: ${runtime_pkgs[*]} (+ dependencies, + slim base)"

echo "== build_stage: staged binaries start"
for b in "$out"/bin/*; do
  "$b" --version >/dev/null || { echo "build_stage.sh: $b --version failed" >&2; exit 1; }
  echo "   ok: $(basename "$b") ($(du -h "$b" | cut -f1))"
done
