#!/usr/bin/env bash
# The Debian package as a user meets it (issue 25's acceptance): built with CPack from this
# build, installed with apt into a bare Debian 12 made by mmdebstrap (apt resolves its
# Depends from Debian's archive), `msb run -- echo hi` inside it, then removed with purge,
# leaving none of its files.
#   tests/install/deb_test.sh BUILD_DIR
set -euo pipefail
build=$1
work=$(mktemp -d /tmp/msb-deb-test.XXXXXX)
root=$work/root
cleanup() {
  # Mounts live in the unshare'd namespaces, gone with them; only files are left here.
  rm -rf "$work"
}
trap cleanup EXIT
step() { echo "deb_test: $*" >&2; }

step "build the package"
(cd "$build" && cpack --config CPackConfig.cmake -B "$work/deb" >/dev/null)
deb=$(ls "$work"/deb/msb_*_amd64.deb)
dpkg-deb -f "$deb" Package Version Depends >&2

step "a bare Debian 12 with the package installed by apt (mmdebstrap, Debian's archive)"
# In a customize hook, where the chroot has apt's lists and a network: `apt-get install` of a
# file resolves its Depends as a user's would.
mmdebstrap --quiet --variant=apt \
  --customize-hook="copy-in $deb /root" \
  --customize-hook="chroot \"\$1\" apt-get install -y -qq /root/$(basename "$deb") >/dev/null" \
  --customize-hook='rm "$1"/root/msb_*.deb' \
  bookworm "$root"
[[ -x $root/usr/bin/msb && -x $root/usr/bin/msb-server && -f $root/usr/share/microsandbox/vmlinux ]]
[[ -e $root/usr/lib/libmicrosandbox.so.0 ]]

in_root() {  # a command in the installed system, offline, with /proc, /dev, /sys and /tmp
  unshare --mount --net --pid --fork -- sh -c '
    root=$1; shift
    mount -t proc proc "$root/proc" && mount --rbind /dev "$root/dev" &&
    mount -t sysfs sys "$root/sys" && mount -t tmpfs tmp "$root/tmp" &&
    ip link set lo up && exec chroot "$root" "$@"' sh "$root" "$@"
}

step "msb run -- echo hi in it"
output=$(in_root env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root msb run -- echo hi)
[[ $output == hi ]] || { echo "deb_test: msb run said: $output" >&2; exit 1; }

step "remove it with purge: nothing of it stays"
in_root env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin apt-get remove --purge -y -qq msb >/dev/null
if in_root dpkg -s msb >/dev/null 2>&1; then
  echo "deb_test: msb still installed" >&2
  exit 1
fi
for path in usr/bin/msb usr/bin/msb-server usr/bin/msb-runtime usr/share/microsandbox \
            usr/lib/libmicrosandbox.so.0 usr/lib/libmicrosandbox.a usr/include/microsandbox \
            usr/lib/cmake/microsandbox usr/lib/pkgconfig/microsandbox.pc usr/share/man/man1/msb.1; do
  if [[ -e $root/$path ]]; then
    echo "deb_test: left after purge: /$path" >&2
    exit 1
  fi
done
step "all passed"
