#!/usr/bin/env bash
# bench/pull: wall time and throughput of `msb pull` (download + verify + unpack into a
# cold $MSB_HOME) of the large fixture image from a local registry, against the peer
# `skopeo copy` of the same image to an OCI directory (download + verify only), in the
# same run. Runs both alternately N times and prints medians, MiB/s of compressed blobs
# and the ratio msb/skopeo. Target (docs/targets.md): ratio <= 1.0.
# msb does more work than its peer: each layer is unpacked while its blob downloads
# (igzip inflate, sha256 of the uncompressed stream for the diff_id on its own thread,
# file writes, a syncfs before publishing); skopeo only downloads and hashes the blobs.
# Wall times swing with the load of the machine: read `uptime`, and compare the CPU of one
# pull (MSB_PULL_PROFILE=1: perf stat task-clock) between builds.
#
#   bench/pull.sh [RUNS]    (default 5; needs a built msb, docker-registry, skopeo)
# Env: MSB_BUILD_DIR (default build/), MSB_FIXTURE_CACHE (default $MSB_BUILD_DIR/fixtures/images),
#      MSB_PULL_PROFILE=1 also prints `perf stat` of one extra msb pull.
set -euo pipefail
runs=${1:-5}
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${MSB_BUILD_DIR:-$repo/build}
msb=$build/bin/msb
fixtures=${MSB_FIXTURE_CACHE:-$build/fixtures/images}
work=$(mktemp -d /tmp/msb-bench-pull.XXXXXX)
registry_pid=""

cleanup() {
  if [[ -n "$registry_pid" ]]; then
    kill "$registry_pid" 2>/dev/null || true
    wait "$registry_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else printf "%.1f\n", (v[NR/2]+v[NR/2+1])/2}'; }
m() { printf '%s\n' "$@" | median; }

python3 "$repo/tests/fixtures/images/build_images.py" --out "$fixtures" --large
bytes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["large"]["total_size"])' \
  "$fixtures/fixtures.json")

# A plain docker-registry on a free loopback port, its storage in $work.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/registry.yml" <<YAML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/storage
http:
  addr: 127.0.0.1:$port
YAML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for ((i = 0; i < 100; i++)); do
  curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break
  sleep 0.1
done
image=127.0.0.1:$port/large:latest
skopeo --insecure-policy copy -q --dest-tls-verify=false --preserve-digests \
  "oci:$fixtures/large:latest" "docker://$image"

msb_ms=() skopeo_ms=()
for ((i = 0; i < runs; i++)); do
  home=$work/home-$i
  mkdir "$home"
  start=$(now_ms)
  MSB_HOME=$home "$msb" pull -q "$image" >/dev/null
  msb_ms+=($(($(now_ms) - start)))
  rm -rf "$home"
  start=$(now_ms)
  skopeo --insecure-policy copy -q --src-tls-verify=false "docker://$image" "oci:$work/oci-$i:latest"
  skopeo_ms+=($(($(now_ms) - start)))
  rm -rf "$work/oci-$i"
done

if [[ "${MSB_PULL_PROFILE:-0}" == 1 ]]; then
  mkdir "$work/home-profile"
  MSB_HOME=$work/home-profile perf stat -e task-clock,instructions,cycles,context-switches \
    "$msb" pull -q "$image" >/dev/null
  rm -rf "$work/home-profile"
fi

ma=$(m "${msb_ms[@]}") ms=$(m "${skopeo_ms[@]}")
mib() { awk -v b="$bytes" -v t="$1" 'BEGIN {printf "%.1f", b / 1048576 / (t / 1000)}'; }
echo "bench/pull: large fixture, $(awk -v b="$bytes" 'BEGIN {printf "%.1f", b/1048576}') MiB compressed, $runs runs, $(nproc) cores"
echo "  msb pull (download+verify+unpack, cold cache): median ${ma} ms ($(mib "$ma") MiB/s)  runs: ${msb_ms[*]}"
echo "  skopeo copy to oci dir (download+verify):      median ${ms} ms ($(mib "$ms") MiB/s)  runs: ${skopeo_ms[*]}"
echo "  ratio msb/skopeo: $(awk -v a="$ma" -v c="$ms" 'BEGIN {printf "%.2f", a / c}')  (target <= 1.0)"
