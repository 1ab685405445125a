#!/usr/bin/env bash
# Installs the Debian 12 packages hashmesh builds, tests and benchmarks with.
# Idempotent: silent when everything is already there. Works as root or via sudo.
#
#   scripts/install_deps.sh            # build + test dependencies
#   scripts/install_deps.sh --bench    # also wrk, nginx-light, gnuplot (bench/run.sh)
set -euo pipefail

build_pkgs=(
  build-essential cmake ninja-build pkg-config
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  libabsl-dev libssl-dev libspdlog-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libboost1.81-dev libboost-json1.81-dev
  curl procps python3 clang-tidy
  ca-certificates  # the runtime image's CA bundle (deploy/docker/build_stage.sh)
  openssl  # scripts/dev_certs.sh
  clang-14 libclang-rt-14-dev  # the fuzz preset: clang and its libFuzzer runtime
)
bench_pkgs=(wrk nginx-light gnuplot-nox)

# Deploy checks (tests/deploy): node+npm run deploy/tools, kubectl renders the
# kustomizations. Only when the command is missing: a machine may have them
# from elsewhere (nodesource, Google's kubectl), which Debian's would clash with.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then build_pkgs+=(nodejs npm); fi
if ! command -v kubectl >/dev/null; then build_pkgs+=(kubernetes-client); fi

pkgs=("${build_pkgs[@]}")
for arg in "$@"; do
  case "$arg" in
    --bench) pkgs+=("${bench_pkgs[@]}") ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "install_deps.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${pkgs[@]}"; do
  # dpkg-query answers "install ok installed" only for a fully installed package.
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null; then
  sudo=(sudo)
else
  echo "install_deps.sh: need root or sudo to install: ${missing[*]}" >&2
  exit 1
fi

echo "install_deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
