#!/usr/bin/env bash
# Builds the built-in `base` image: Debian's static busybox with every applet linked,
# minimal /etc, as an erofs image (vm engine) and, when TREE is given, as a directory tree
# owned by root (namespace engine). Offline and deterministic (fixed timestamps).
#   guest/base/build.sh OUTPUT [TREE]
set -euo pipefail
output=$1
tree=${2:-}
busybox=/bin/busybox
if ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
  echo "base image: $busybox is not the static busybox (apt-get install busybox-static)" >&2
  exit 1
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,proc,sys,dev,run,home,var/tmp,mnt}
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 0700 "$root/root"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list-full); do
  [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
tty:x:5:
nogroup:x:65534:
GROUP
echo "microsandbox" >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n' >"$root/etc/hosts"
mkfs.erofs --quiet --all-root -T 0 "$output.tmp" "$root"
mv "$output.tmp" "$output"
if [ -n "$tree" ]; then
  # Swapped in whole: a sandbox never sees half a tree. Ids are on-disk ids of the image
  # (root = 0); the namespace engine maps them into the sandbox with an idmapped mount.
  rm -rf "$tree.tmp" "$tree.old"
  cp -a "$root" "$tree.tmp"
  chmod 0755 "$tree.tmp"
  if [ "$(id -u)" = 0 ]; then chown -R -h 0:0 "$tree.tmp"; fi
  if [ -e "$tree" ]; then mv "$tree" "$tree.old"; fi
  mv "$tree.tmp" "$tree"
  rm -rf "$tree.old"
fi
