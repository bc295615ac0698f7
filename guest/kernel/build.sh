#!/usr/bin/env bash
# Builds the guest kernel from Debian's linux-source-6.1 and our config fragment.
#
#   guest/kernel/build.sh            build (if not cached) and print the vmlinux path
#   guest/kernel/build.sh --print-id print the cache id only
#   guest/kernel/build.sh --install F build (if not cached) and copy the vmlinux to F
#
# The result is cached under $MSB_HOME/kernel/<id>/vmlinux, where <id> hashes the
# source package version and the fragment, so a second run is instant and a changed
# fragment gives a new kernel. Concurrent runs serialize on a lock; the vmlinux appears
# atomically (rename) only once the build succeeded.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
fragment="$here/microsandbox.config"
source_tar=/usr/src/linux-source-6.1.tar.xz
msb_home=${MSB_HOME:-$HOME/.microsandbox}

source_version=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
if [[ -z "$source_version" || ! -f "$source_tar" ]]; then
  echo "build-kernel: linux-source-6.1 is not installed (apt-get install linux-source-6.1)" >&2
  exit 1
fi
id=$( { echo "linux-source-6.1 $source_version"; cat "$fragment"; } | sha256sum | cut -c1-16)
if [[ "${1:-}" == "--print-id" ]]; then
  echo "$id"
  exit 0
fi

install_to=""
if [[ "${1:-}" == "--install" ]]; then
  install_to=${2:?--install needs a destination}
fi
install_result() {
  if [[ -n "$install_to" ]]; then
    cp "$1" "$install_to.tmp.$$" && mv "$install_to.tmp.$$" "$install_to"
  fi
  echo "$1"
}

out_dir="$msb_home/kernel/$id"
vmlinux="$out_dir/vmlinux"
mkdir -p "$out_dir"
exec 9>"$out_dir/.lock"
flock 9
if [[ -f "$vmlinux" ]]; then
  install_result "$vmlinux"
  exit 0
fi

work=$(mktemp -d "$out_dir/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "build-kernel: building guest kernel $id (takes several minutes)" >&2
tar -xJf "$source_tar" -C "$work"
src="$work/linux-source-6.1"
make -C "$src" -s ARCH=x86_64 tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$src" "$src/.config" "$fragment" >/dev/null
make -C "$src" -s ARCH=x86_64 olddefconfig >/dev/null

# Every line of the fragment must have survived olddefconfig (a missing dependency
# silently drops an option otherwise).
missing=0
while IFS= read -r line; do
  case "$line" in
    CONFIG_*=*) grep -qxF "$line" "$src/.config" || { echo "build-kernel: not applied: $line" >&2; missing=1; } ;;
    "# CONFIG_"*" is not set") grep -qxF "$line" "$src/.config" || ! grep -q "^${line:2:-11}=" "$src/.config" || { echo "build-kernel: not applied: $line" >&2; missing=1; } ;;
  esac
done <"$fragment"
[[ $missing == 0 ]] || exit 1

make -C "$src" -s ARCH=x86_64 -j"$(nproc)" vmlinux >&2
cp "$src/vmlinux" "$out_dir/vmlinux.tmp"
cp "$src/.config" "$out_dir/config"
mv "$out_dir/vmlinux.tmp" "$vmlinux"
install_result "$vmlinux"
