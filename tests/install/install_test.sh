#!/usr/bin/env bash
# The installed SDK and CLI, as a user gets them (issue 25's acceptance):
#   1. `cmake --install` into a staging prefix, which is then moved (it must be relocatable);
#   2. examples/cpp built against the moved prefix three ways: find_package with the shared
#      library, find_package with the static archive, and pkg-config with a plain g++;
#      each creates a sandbox, execs, reads a file and removes it;
#   3. the moved prefix's own `msb run -- echo hi`.
# Nothing may come from the build tree: the programs run with a clean environment whose
# PATH holds only the system's directories, and the libraries export only the public API.
#   tests/install/install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
work=$(mktemp -d /tmp/msb-install-test.XXXXXX)
home=$work/home
cleanup() {
  # Sandboxes a failed step left: killed and removed through the staged msb, if any.
  if [[ -x $work/moved/bin/msb ]]; then
    local names
    names=$(MSB_HOME=$home "$work/moved/bin/msb" ls --format json 2>/dev/null |
            python3 -c 'import json, sys; print(" ".join(s["name"] for s in json.load(sys.stdin)))' \
            2>/dev/null || true)
    [[ -z $names ]] || MSB_HOME=$home "$work/moved/bin/msb" rm --force $names >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
step() { echo "install_test: $*" >&2; }

step "install into a staging prefix, then move it"
cmake --install "$build" --prefix "$work/stage" >/dev/null
mv "$work/stage" "$work/moved"
prefix=$work/moved
mkdir -p "$home"

step "the shared library exports the public API only"
exported=$(nm -D --defined-only -C "$prefix/lib/libmicrosandbox.so" | awk '{ $1=""; $2=""; print }' |
           sed 's/^ *//' | grep -v '^MICROSANDBOX_0$')
strays=$(grep -v -E '^(microsandbox::|typeinfo for microsandbox::|typeinfo name for microsandbox::|vtable for microsandbox::|non-virtual thunk to microsandbox::)' <<<"$exported" || true)
if [[ -n $strays ]]; then
  echo "install_test: symbols outside the public API are exported:" >&2
  echo "$strays" | head -20 >&2
  exit 1
fi
grep -q 'microsandbox::Sandbox::builder' <<<"$exported"
grep -q 'typeinfo for microsandbox::Error' <<<"$exported"
[[ $(readelf -d "$prefix/lib/libmicrosandbox.so" | grep -c 'SONAME.*libmicrosandbox.so.0') == 1 ]]

step "nothing installed points into the build tree"
for binary in "$prefix/bin/msb" "$prefix/bin/msb-server" "$prefix/bin/msb-runtime" \
              "$prefix/lib/libmicrosandbox.so"; do
  if readelf -d "$binary" | grep -E 'RPATH|RUNPATH'; then
    echo "install_test: $binary carries a library search path" >&2
    exit 1
  fi
done
if grep -rlF "$(cd "$build" && pwd)" "$prefix/lib/cmake" "$prefix/lib/pkgconfig"; then
  echo "install_test: the package files name the build tree" >&2
  exit 1
fi

system_path=/usr/sbin:/usr/bin:/sbin:/bin
run_clean() {  # a program with nothing from the build tree or the caller's MSB_* settings
  env -i PATH="${extra_path:-}$system_path" HOME="$home" MSB_HOME="$home" "$@"
}
check_hello() {
  local output
  output=$(run_clean "$@")
  grep -q '^hello from Linux$' <<<"$output" || { echo "unexpected output: $output" >&2; exit 1; }
  grep -q '^microsandbox ' <<<"$output"
}

step "find_package, shared library (vm engine)"
cmake -S "$source/examples/cpp" -B "$work/shared" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_RPATH="$prefix/lib" >/dev/null
cmake --build "$work/shared" >/dev/null
check_hello "$work/shared/hello_sandbox" vm

step "find_package, static archive (namespace engine)"
cmake -S "$source/examples/cpp" -B "$work/static" -DCMAKE_PREFIX_PATH="$prefix" \
  -DMICROSANDBOX_STATIC=ON >/dev/null
cmake --build "$work/static" >/dev/null
if readelf -d "$work/static/hello_sandbox" | grep -q libmicrosandbox; then
  echo "install_test: the static build links libmicrosandbox.so" >&2
  exit 1
fi
# Linked statically, the program finds msb-runtime (and the kit beside it) on PATH, as
# after an install whose bin/ is on PATH.
extra_path="$prefix/bin:" check_hello "$work/static/hello_sandbox" namespace

step "pkg-config and a plain g++ (namespace engine)"
flags=$(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags --libs microsandbox)
g++ -std=c++20 -o "$work/pkgconfig_hello" "$source/examples/cpp/main.cc" $flags \
  -Wl,-rpath,"$prefix/lib"
check_hello "$work/pkgconfig_hello" namespace

step "msb(1) is installed"
grep 'run untrusted code' "$prefix/share/man/man1/msb.1" >/dev/null

step "the installed msb run -- echo hi"
output=$(run_clean "$prefix/bin/msb" run -- echo hi)
[[ $output == hi ]] || { echo "msb run said: $output" >&2; exit 1; }
step "all passed"
