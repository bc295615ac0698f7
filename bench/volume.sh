#!/usr/bin/env bash
# bench/volume: a bind volume against the same work on the host directly, in one run.
#   write    dd MIB MiB of zeros into a new file, then fsync it (conv=fsync)
#   read     dd that file to /dev/null, cold: the host's page cache (and a VM's own) dropped first
#   untar    extract a tar of 5,000 small files (1 KiB each, 50 directories), then syncfs
# The same static busybox runs the work on the host and in each sandbox (the base image's
# is busybox too), on the same host filesystem: the volume's transport is the only
# difference. Each figure is the median over RUNS of the wall time of one exec; the exec's own
# overhead (an empty `true`, measured the same way) is subtracted.
# Targets (docs/targets.md): namespace engine >= 90 % of the host on each case; vm engine
# reported (virtiofs; with MSB_VOLUME_TRANSPORT=9p in the environment, 9p for comparison).
#
#   bench/volume.sh [RUNS] [MIB] [namespace|vm|all]     (root; default 5 256 all)
set -euo pipefail
runs=${1:-5}
mib=${2:-256}
which_engines=${3:-all}
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${MSB_BUILD_DIR:-$repo/build}
msb=$build/bin/msb
export MSB_HOME=${MSB_HOME:-$(mktemp -d /tmp/msb-bench-volume.XXXXXX)}
work=$(mktemp -d /var/tmp/msb-bench-volume-data.XXXXXX)
sandboxes=()
cleanup() {
  for name in "${sandboxes[@]}"; do "$msb" rm -f "$name" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

now_ns() { date +%s%N; }
median() { sort -n | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# The tar of small files, made once on the host.
mkdir -p "$work/src"
for ((d = 0; d < 50; d++)); do
  mkdir -p "$work/src/d$d"
  for ((f = 0; f < 100; f++)); do head -c 1024 /dev/urandom > "$work/src/d$d/f$f"; done
done
tar -C "$work/src" -cf "$work/small.tar" .
rm -rf "$work/src"

# The three cases as one shell command each, run in directory $1 (the volume or the host dir).
case_script() {
  local dir=$1 what=$2
  case $what in
    write) echo "rm -f $dir/big; busybox dd if=/dev/zero of=$dir/big bs=1M count=$mib conv=fsync 2>/dev/null" ;;
    read) echo "busybox dd if=$dir/big of=/dev/null bs=1M 2>/dev/null" ;;
    untar) echo "rm -rf $dir/out; mkdir $dir/out && busybox tar -xf $dir/small.tar -C $dir/out && busybox sync -f $dir/out" ;;
    none) echo "true" ;;
  esac
}

on_host() { sh -c "$1"; }
# `msb exec` in the sandbox of engine $1.
in_sandbox() { "$msb" exec "bench-volume-$1-$$" -- sh -c "$2"; }

# One timed sample (µs) of case $what in place $label (host or an engine).
sample() {
  local label=$1 what=$2 dir=/data run
  if [[ $label == host ]]; then dir=$work/host; run=(on_host); else run=(in_sandbox "$label"); fi
  if [[ $what == read ]]; then
    sync && echo 3 > /proc/sys/vm/drop_caches
    "${run[@]}" "{ echo 3 > /proc/sys/vm/drop_caches; } 2>/dev/null; true"
  fi
  local script start
  script=$(case_script "$dir" "$what")
  sync  # every sample starts clean: no place pays for another's dirty data
  start=$(now_ns)
  "${run[@]}" "$script"
  echo $((($(now_ns) - start) / 1000))
}

# Figures for every place, runs interleaved (host, then each engine) so that a noisy moment
# hits all of them: write and read in MiB/s, untar in files/s, less the empty exec's time.
declare -A figures
measure_all() {
  local places=("$@") what label i
  declare -A samples
  for what in none write read untar; do
    for ((i = 0; i < runs; i++)); do
      for label in "${places[@]}"; do samples[$label.$what]+="$(sample "$label" "$what") "; done
    done
  done
  for label in "${places[@]}"; do
    local base write read untar
    base=$(printf '%s\n' ${samples[$label.none]} | median)
    write=$(printf '%s\n' ${samples[$label.write]} | median)
    read=$(printf '%s\n' ${samples[$label.read]} | median)
    untar=$(printf '%s\n' ${samples[$label.untar]} | median)
    figures[$label.write]=$(awk -v m="$mib" -v t="$write" -v b="$base" 'BEGIN{printf "%.1f", m/((t-b)/1e6)}')
    figures[$label.read]=$(awk -v m="$mib" -v t="$read" -v b="$base" 'BEGIN{printf "%.1f", m/((t-b)/1e6)}')
    figures[$label.untar]=$(awk -v t="$untar" -v b="$base" 'BEGIN{printf "%.0f", 5000/((t-b)/1e6)}')
  done
}

report() {
  local label=$1 name=$2 target=${3:-}
  local line="  $(printf '%-22s' "$name")"
  local met=yes
  for what in write read untar; do
    local value=${figures[$label.$what]} host=${figures[host.$what]}
    local percent
    percent=$(awk -v v="$value" -v h="$host" 'BEGIN{printf "%.0f", 100*v/h}')
    local unit="MiB/s"
    [[ $what == untar ]] && unit="files/s"
    line+=$(printf '  %s %8s %s (%3s %%)' "$what" "$value" "$unit" "$percent")
    if [[ -n $target ]] && ((percent < target)); then met=no; fi
  done
  echo "$line"
  [[ -n $target ]] && echo "    target: >= $target % of the host on each case: $([[ $met == yes ]] && echo met || echo NOT met)"
  return 0
}

echo "bench/volume: $runs runs, $mib MiB sequential, 5000 x 1 KiB files; host dir $work ($(df -T "$work" | awk 'NR==2{print $2}'))"
mkdir -p "$work/host" && cp "$work/small.tar" "$work/host/"
engines=(namespace vm)
[[ $which_engines != all ]] && engines=("$which_engines")
for engine in "${engines[@]}"; do
  mkdir -p "$work/$engine" && cp "$work/small.tar" "$work/$engine/"
  sandboxes+=("bench-volume-$engine-$$")
  "$msb" create -q --isolation "$engine" -n "bench-volume-$engine-$$" -v "$work/$engine:/data" >/dev/null
done
measure_all host "${engines[@]}"
report host "host (no sandbox)"
for engine in "${engines[@]}"; do
  if [[ $engine == namespace ]]; then
    report namespace "namespace engine" 90
  else
    accel=$(grep -o 'running (vm ([a-z]*)' "$MSB_HOME/sandboxes/bench-volume-vm-$$/logs/runtime.log" | head -1 | sed 's/.*(//; s/)//')
    report vm "vm engine (${accel:-?}, ${MSB_VOLUME_TRANSPORT:-virtiofs})"
  fi
done
