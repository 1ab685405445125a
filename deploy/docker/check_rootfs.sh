#!/usr/bin/env bash
# Proves what the runtime image promises about its root filesystem (the tree
# build_stage.sh assembles, which the Dockerfile copies onto FROM scratch):
#   1. it holds only shared libraries (and the loader) under /usr/lib*, the CA
#      bundle and /etc/{passwd,group,nsswitch.conf}: no shell, no package
#      manager, nothing setuid, nothing writable by group or others;
#   2. /etc/passwd names uid 65532, the user the images and manifests run as;
#   3. every library each BINARY loads resolves inside the tree;
#   4. (as root, where chroot works: CI and `docker build`) each BINARY starts
#      (--version) chrooted into a copy of the tree, as 65532:65532.
#
#   deploy/docker/check_rootfs.sh ROOTFS BINARY...
set -euo pipefail
[[ $# -ge 2 ]] || { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
rootfs=$(cd "$1" && pwd)
shift
binaries=("$@")
fail=0
error() { echo "  check_rootfs: $*" >&2; fail=1; }

# resolve_in_tree PATH: PATH with every link followed as the image will see
# it (an absolute target starts at the tree's root), or nothing after 40 hops.
resolve_in_tree() {
  local link=$1 target
  for _ in $(seq 40); do
    if [[ ! -L "$rootfs$link" ]]; then echo "$link"; return; fi
    target=$(readlink "$rootfs$link")
    [[ "$target" == /* ]] || target=$(dirname "$link")/$target
    link=$(realpath -m -s "$target")
  done
}

# 1. Contents.
while IFS= read -r -d '' entry; do
  rel=${entry#"$rootfs"}
  name=$(basename "$rel")
  case "$name" in
    sh|bash|dash|zsh|ash|busybox|toybox|apt|apt-get|dpkg|su|sudo|env|nologin)
      error "$rel: a shell or system tool has no place in the runtime image" ;;
  esac
  if [[ -L "$entry" ]]; then
    link=$(resolve_in_tree "$rel")
    [[ -n "$link" && -e "$rootfs$link" && ! -L "$rootfs$link" ]] ||
      error "$rel: a link to ${link:-a loop}, which the tree does not hold"
    continue
  elif [[ -d "$entry" ]]; then
    :
  elif [[ -f "$entry" ]]; then
    case "$rel" in
      /etc/passwd|/etc/group|/etc/nsswitch.conf|/etc/ssl/certs/ca-certificates.crt) ;;
      /usr/lib/*.so|/usr/lib/*.so.*|/usr/lib64/*.so|/usr/lib64/*.so.*) ;;
      *) error "$rel: neither a shared library nor one of the listed /etc files" ;;
    esac
  else
    error "$rel: not a file, directory or link"
  fi
  if [[ -n "$(find "$entry" -maxdepth 0 -perm /6022)" ]]; then
    error "$rel: setuid/setgid or writable by group/others"
  fi
done < <(find "$rootfs" -mindepth 1 -print0)

# 2. The user.
grep -q '^[^:]*:x:65532:65532:' "$rootfs/etc/passwd" 2>/dev/null ||
  error "/etc/passwd has no entry for uid:gid 65532:65532"

# 3. Libraries resolve inside the tree: the tree's own loader, without any
#    ld.so.cache (the image has none), searching the tree's copies of the
#    loader's built-in directories, which are all the image's loader searches.
#    The host's directories come after them, so a path outside the tree means
#    the tree lacks that library; a loader that fails fails the check.
for b in "${binaries[@]}"; do
  ldd_out=$(ldd "$b") || { error "$(basename "$b"): ldd failed"; continue; }
  interp=$(awk '$1 ~ /^\// {print $1; exit}' <<<"$ldd_out")
  loader=$(resolve_in_tree "${interp:-/nonexistent}")
  if [[ -z "$interp" || -z "$loader" || ! -f "$rootfs$loader" ]]; then
    error "$(basename "$b"): its loader ${interp:-?} is not in the tree"; continue
  fi
  dirs=()
  while read -r dir; do dirs+=("$rootfs$dir"); done < <(
    "$rootfs$loader" --help | awk '/\(system search path\)/ {print $1}')
  ((${#dirs[@]} > 0)) || { error "$(basename "$b"): the loader names no system search path"; continue; }
  search=$(IFS=:; echo "${dirs[*]}")
  if ! list=$("$rootfs$loader" --inhibit-cache --library-path "$search" --list "$b" 2>&1); then
    error "$(basename "$b"): the tree's loader cannot load it: $list"; continue
  fi
  resolved=0
  while read -r soname path; do
    resolved=$((resolved + 1))
    [[ "$path" == "$rootfs"/* ]] || error "$(basename "$b"): $soname resolves to $path, not inside the tree"
  done < <(awk '$2 == "=>" {print $1, $3}' <<<"$list")
  ((resolved > 0)) || error "$(basename "$b"): the tree's loader listed no library"
done
((fail == 0)) || { echo "check_rootfs.sh: $rootfs is not a valid runtime root filesystem" >&2; exit 1; }
echo "   ok: only libraries, the CA bundle and /etc entries; every library resolves inside"

# 4. Start each binary in the tree, as the image does.
if [[ $(id -u) -ne 0 ]] || ! chroot / true 2>/dev/null; then
  echo "   (not root: the chrooted start as 65532 runs in CI and in docker build)"
  exit 0
fi
copy=$(mktemp -d /tmp/hashmesh-rootfs-check.XXXXXX)
trap 'rm -rf "$copy"' EXIT
cp -a "$rootfs"/. "$copy"/
for b in "${binaries[@]}"; do install -m 0755 "$b" "$copy/usr/local/bin/"; done
for b in "${binaries[@]}"; do
  name=$(basename "$b")
  out=$(chroot --userspec=65532:65532 "$copy" "/usr/local/bin/$name" --version 2>&1) ||
    { echo "check_rootfs.sh: $name --version failed chrooted as 65532: $out" >&2; exit 1; }
  echo "   ok: $name starts chrooted as 65532 ($(du -h "$b" | cut -f1)): ${out%%$'\n'*}"
done
