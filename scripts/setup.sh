#!/usr/bin/env bash
# One-command setup on Debian 12: installs every package the build, the guest kit and the
# tests need, then builds everything (including the guest kernel, cached per machine).
# Idempotent: a second run with nothing changed takes seconds.
#
#   scripts/setup.sh            install + build into ./build
#   MSB_BUILD_DIR=dir scripts/setup.sh
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${MSB_BUILD_DIR:-$repo/build}

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git file binutils clang-format
  # libraries
  libexpected-dev nlohmann-json3-dev libcli11-dev libfmt-dev libspdlog-dev libsqlite3-dev
  libgtest-dev libgmock-dev libseccomp-dev libcurl4-openssl-dev libarchive-dev libzstd-dev
  libisal-dev libslirp-dev
  # guest kit: QEMU, kernel source and its build tools, images
  qemu-system-x86 linux-source-6.1 flex bison bc libelf-dev libssl-dev cpio xz-utils
  busybox-static e2fsprogs erofs-utils
  # tests and benchmarks; iproute2 builds the network tests' namespaces (tests/support/net_world.h)
  procps util-linux tmux iproute2
  # OCI image fixtures: a local registry, its basic-auth file, the pusher and the peer of
  # bench/pull, and the layer compressors
  docker-registry apache2-utils skopeo zstd gzip python3
  # peers the namespace engine is measured against (bench/start)
  crun bubblewrap
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [[ $(id -u) == 0 ]] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "setup: packages ready after ${SECONDS}s" >&2

if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
# The guest kernel first, on its own: the first time it takes several minutes on 2 cores
# (cached under $MSB_HOME/kernel afterwards), and timing it apart shows where a clean build
# spends its time.
ninja -C "$build_dir" --quiet share/microsandbox/vmlinux
echo "setup: guest kernel ready after ${SECONDS}s" >&2
ninja -C "$build_dir" --quiet
echo "setup: ready: $build_dir/bin/msb (after ${SECONDS}s)" >&2
