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

# 1. Contents.
while IFS= read -r -d '' entry; do
  rel=${entry#"$rootfs"}
  name=$(basename "$rel")
  case "$name" in
    sh|bash|dash|zsh|ash|busybox|toybox|apt|apt-get|dpkg|su|sudo|env|nologin)
      error "$rel: a shell or system tool has no place in the runtime image" ;;
  esac
  if [[ -L "$entry" ]]; then
    # Followed as the image will: an absolute target starts at the tree's root.
    link=$rel
    for _ in $(seq 40); do
      [[ -L "$rootfs$link" ]] || break
      target=$(readlink "$rootfs$link")
      [[ "$target" == /* ]] || target=$(dirname "$link")/$target
      link=$(realpath -m -s "$target")
    done
    [[ -e "$rootfs$link" && ! -L "$rootfs$link" ]] || error "$rel: a link to $link, which the tree does not hold"
  elif [[ -d "$entry" ]]; then
    continue
  elif [[ -f "$entry" ]]; then
    case "$rel" in
      /etc/passwd|/etc/group|/etc/nsswitch.conf|/etc/ssl/certs/ca-certificates.crt) ;;
      /usr/lib/*.so|/usr/lib/*.so.*|/usr/lib64/*.so|/usr/lib64/*.so.*) ;;
      *) error "$rel: neither a shared library nor one of the listed /etc files" ;;
    esac
    if [[ -n "$(find "$entry" -perm /6022)" ]]; then
      error "$rel: setuid/setgid or writable by group/others"
    fi
  else
    error "$rel: not a file, directory or link"
  fi
done < <(find "$rootfs" -mindepth 1 -print0)

# 2. The user.
grep -q '^[^:]*:x:65532:65532:' "$rootfs/etc/passwd" 2>/dev/null ||
  error "/etc/passwd has no entry for uid:gid 65532:65532"

# 3. Libraries resolve inside the tree: the tree's own loader, without the
#    host's ld.so.cache, searching only the tree's library directories first
#    (the host's directories come after, so a path outside the tree means the
#    tree lacks that library).
mapfile -t libdirs < <(find "$rootfs/usr/lib" "$rootfs/usr/lib64" -name '*.so*' -printf '%h\n' | sort -u)
search=$(IFS=:; echo "${libdirs[*]}")
for b in "${binaries[@]}"; do
  interp=$(ldd "$b" | awk '$1 ~ /^\// && !seen {print $1; seen = 1}')
  if [[ -z "$interp" || ! -e "$rootfs$interp" ]]; then
    error "$(basename "$b"): its loader ${interp:-?} is not in the tree"; continue
  fi
  while read -r soname path; do
    [[ "$path" == "$rootfs"/* ]] || error "$(basename "$b"): $soname resolves to $path, not inside the tree"
  done < <("$rootfs$interp" --inhibit-cache --library-path "$search" --list "$b" |
             awk '$2 == "=>" {print $1, $3}')
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
