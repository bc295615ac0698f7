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
  # msb server: Boost.Beast and Boost.Asio (header-only), see docs/design/server.md
  libboost-dev
  # guest kit: QEMU, kernel source and its build tools, images
  qemu-system-x86 linux-source-6.1 flex bison bc libelf-dev libssl-dev cpio xz-utils
  busybox-static e2fsprogs erofs-utils
  # tests and benchmarks; iproute2 builds the network tests' namespaces (tests/support/net_world.h)
  procps util-linux tmux iproute2
  # msb server's TLS tests make a self-signed certificate with the openssl command
  openssl
  # OCI image fixtures: a local registry, its basic-auth file, the pusher and the peer of
  # bench/pull, and the layer compressors
  docker-registry apache2-utils skopeo zstd gzip python3
  # peers the namespace engine is measured against (bench/start)
  crun bubblewrap
  # the .deb's test: a bare Debian 12 to install it into (tests/install/deb_test.sh); msb(1)
  mmdebstrap help2man
  # the Python SDK (python/): headers, pybind11, the venv and its build, its tests and stubs
  python3-dev python3-venv python3-setuptools python3-wheel pybind11-dev python3-pybind11
  python3-pytest python3-pytest-asyncio mypy
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

# The MCP tests' clients: the official MCP TypeScript SDK from the npm registry, as pinned by
# tests/mcp/package-lock.json, into tests/mcp/node_modules (Node.js 20 and npm come with the
# machine). Reinstalled only when the lock file changes.
mcp_tests=$repo/tests/mcp
mcp_stamp=$(sha256sum "$mcp_tests/package-lock.json" | cut -d' ' -f1)
if [[ "$(cat "$mcp_tests/node_modules/.msb-stamp" 2>/dev/null)" != "$mcp_stamp" ]]; then
  if ! command -v npm >/dev/null || ! node -e 'process.exit(parseInt(process.versions.node) >= 20 ? 0 : 1)'; then
    echo "setup: the MCP tests need Node.js 20 or later and npm" >&2
    exit 1
  fi
  (cd "$mcp_tests" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$mcp_stamp" >"$mcp_tests/node_modules/.msb-stamp"
  echo "setup: MCP test clients installed after ${SECONDS}s" >&2
fi

if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
# The guest kernel first, on its own: the first time it takes several minutes on 2 cores
# (cached under $MSB_HOME/kernel afterwards), and timing it apart shows where a clean build
# spends its time.
ninja -C "$build_dir" --quiet share/microsandbox/vmlinux
echo "setup: guest kernel ready after ${SECONDS}s" >&2
ninja -C "$build_dir" --quiet
echo "setup: C++ build ready after ${SECONDS}s" >&2

# The Python SDK, installed the standard way into .venv (Debian's interpreter, with its
# python3-* packages visible). Reinstalled only when the package or what it bundles changed.
venv=$repo/.venv
if [[ ! -x "$venv/bin/python" ]]; then
  /usr/bin/python3 -m venv --system-site-packages "$venv"
fi
stamp=$(cd "$repo" && { find python/microsandbox python/setup.py python/pyproject.toml \
    "$build_dir/python/microsandbox" "$build_dir/bin/msb" "$build_dir/bin/msb-server" \
    "$build_dir/bin/msb-runtime" \
    "$build_dir/share/microsandbox" -path '*/__pycache__' -prune -o -printf '%p %s %T@\n'; \
    echo "$build_dir"; } | sha256sum)
if [[ "$(cat "$venv/.msb-python-stamp" 2>/dev/null)" != "$stamp" ]]; then
  MSB_BUILD_DIR=$build_dir "$venv/bin/pip" install --quiet --no-build-isolation --no-deps \
    --no-index "$repo/python" >/dev/null
  echo "$stamp" >"$venv/.msb-python-stamp"
fi
echo "setup: ready: $build_dir/bin/msb and the Python package in $venv (after ${SECONDS}s)" >&2
