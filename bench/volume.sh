#!/usr/bin/env bash
# bench/volume: host directory volumes on the vm engine, virtiofs (what msb uses) against
# virtio-9p (QEMU's own server; MSB_VOLUME_TRANSPORT=9p, a benchmark-only switch), and the
# guest's own upper disk as the reference, on the same workloads in the same run:
#   boot      `msb run -v DIR:/data -- true`, wall ms (virtiofsd start + shared memory)
#   write     one 32 MiB file (dd bs=1M), then sync
#   read      that file read back (after dropping the guest's page cache)
#   small     500 files of 1 KiB created, then listed (ls -lR) and read (cat)
# Each workload's time is the wall time of its `msb run` minus the median boot time of the
# same transport. Prints medians over RUNS and the accelerator.
#
#   bench/volume.sh [RUNS]     (default 3; needs a built tree)
set -euo pipefail
runs=${1:-3}
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${MSB_BUILD_DIR:-$repo/build}
msb=$build/bin/msb
export MSB_HOME=${MSB_HOME:-$(mktemp -d /tmp/msb-bench-volume.XXXXXX)}
work=$(mktemp -d /tmp/msb-bench-volume-dir.XXXXXX)
trap 'rm -rf "$work"' EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else printf "%.0f\n", (v[NR/2]+v[NR/2+1])/2}'; }

declare -A workload=(
  [boot]='true'
  [write]='dd if=/dev/zero of=$D/big bs=1M count=32 2>/dev/null && sync'
  [read]='dd if=/dev/zero of=$D/big bs=1M count=32 2>/dev/null && sync && echo 3 > /proc/sys/vm/drop_caches && cat $D/big > /dev/null'
  [small]='mkdir -p $D/s && for i in $(seq 500); do echo 0123456789abcdef > $D/s/$i; done && ls -lR $D/s > /dev/null && cat $D/s/* > /dev/null'
)
# read includes the write: its own time is read minus write.

run_once() {  # transport name workload -> wall ms
  local transport=$1 name=$2 dir args=() start
  dir=$work/$transport-$name-$RANDOM
  mkdir -p "$dir"
  case $transport in
    upper) args=(-e D=/root/data) ;;
    *) args=(-v "$dir:/data" -e D=/data) ;;
  esac
  start=$(now_ms)
  MSB_VOLUME_TRANSPORT=${transport/upper/virtiofs} \
    "$msb" run "${args[@]}" -- sh -c "mkdir -p \$D && ${workload[$name]}" > /dev/null
  echo $(($(now_ms) - start))
  rm -rf "$dir"
}

engine=$("$msb" run --timings -- true 2>&1 >/dev/null | sed -n 's/.*"engine":"\([^"]*\)".*/\1/p')
echo "bench/volume: $runs runs each, engine $engine"
printf '%-10s %8s %8s %8s %8s\n' transport boot write read small
for transport in virtiofs 9p upper; do
  declare -A med=()
  for name in boot write read small; do
    samples=()
    for ((i = 0; i < runs; i++)); do samples+=("$(run_once "$transport" "$name")"); done
    med[$name]=$(printf '%s\n' "${samples[@]}" | median)
  done
  boot=${med[boot]}
  write=$((med[write] - boot))
  printf '%-10s %8s %8s %8s %8s   (ms; workloads net of boot)\n' "$transport" "$boot" \
    "$write" "$((med[read] - boot - write))" "$((med[small] - boot))"
done
