#!/usr/bin/env bash
# Cheap static checks: clang-format conformance and the layering rules of
# docs/architecture.md (raw syscalls only in src/os and the post-fork child files;
# includes only from the same or a lower layer, per the table in scripts/check_includes.py).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
status=0

mapfile -t sources < <(git ls-files -- 'src/*.cc' 'src/*.h' 'include/*.h' 'tests/*.cc' 'tests/*.h' 'bench/*.cc' 'python/src/*.cc' 'python/src/*.h')
if ((${#sources[@]})); then
  if ! clang-format --dry-run --Werror "${sources[@]}" 2>/tmp/msb-format.$$; then
    echo "lint: files not clang-formatted (run: clang-format -i <files>):" >&2
    grep -o '^[^:]*\.\(cc\|h\)' /tmp/msb-format.$$ | sort -u >&2
    status=1
  fi
  rm -f /tmp/msb-format.$$
fi

# Raw syscalls that must go through src/os (exec_child.cc, engine/ns/child.cc and
# engine/vm/volume_server_child.cc are the reviewed post-fork code).
if grep -nE '(^|[^A-Za-z0-9_>])::(open|openat|mount|umount2|clone|clone3|fork|pivot_root|chroot|fchdir|dup2|unlink|kill|reboot|prctl|setns|unshare)\(' \
    $(git ls-files -- 'src/*.cc' 'src/*.h' | grep -v '^src/os/' | grep -v 'exec_child.cc$' | grep -v '^src/engine/ns/child.cc$' | grep -v '^src/engine/vm/volume_server_child.cc$'); then
  echo "lint: raw syscalls outside src/os (use the os:: wrappers)" >&2
  status=1
fi
# Includes run one way: each layer includes only itself and the layers below it.
if ! python3 "$repo/scripts/check_includes.py" "$repo"; then
  echo "lint: includes against the layer table (scripts/check_includes.py)" >&2
  status=1
fi
exit $status
