#!/usr/bin/env bash
# Runs every check: setup/build, format and layering lint, all tests (unit + integration
# with real VMs, and the Python package's suites, registered in ctest by python/CMakeLists.txt),
# and the unit and agent-channel tests again under ASan+UBSan. Exits non-zero on any failure.
#
#   scripts/test.sh
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${MSB_BUILD_DIR:-$repo/build}
asan_dir=${MSB_ASAN_BUILD_DIR:-$repo/build-asan}

"$repo/scripts/setup.sh"
"$repo/scripts/lint.sh"
echo "test: setup and lint done after ${SECONDS}s" >&2

echo "test: unit + integration tests ($build_dir)" >&2
ctest --test-dir "$build_dir" --output-on-failure -j2 --timeout 600
echo "test: unit + integration tests done after ${SECONDS}s" >&2

echo "test: unit and agent-channel tests under ASan+UBSan ($asan_dir), after ${SECONDS}s" >&2
if [[ ! -f "$asan_dir/build.ninja" ]]; then
  # Line tables only (-g1): sanitizer reports keep file:line, and the build is much faster
  # than with full debug information.
  cmake -S "$repo" -B "$asan_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMSB_SANITIZE=ON \
    -DMSB_BUILD_BENCH=OFF -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DCMAKE_C_FLAGS_DEBUG=-g1 >/dev/null
fi
ninja -C "$asan_dir" --quiet sanitized_tests
echo "test: sanitizer build done after ${SECONDS}s" >&2
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$asan_dir" -L 'unit|channel' --output-on-failure -j2

# A skip is not a pass: name every skipped test of both runs with its reason. Each ctest
# run empties <build>/test-skips first (tests/support/skip_report.cc, cmake/msb.cmake).
report_skips() {
  local list="$1/test-skips/skipped.txt" count=0
  [[ -f "$list" ]] && count=$(wc -l <"$list")
  echo "test: $count skipped in the $2 run" >&2
  if ((count)); then sort "$list" | sed 's/^/test:   /' >&2; fi
}
report_skips "$build_dir" "unit + integration"
report_skips "$asan_dir" "ASan+UBSan"
echo "test: all passed in ${SECONDS}s" >&2
