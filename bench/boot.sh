#!/usr/bin/env bash
# bench/boot: how much msb adds on top of booting its VM.
#   (a) wall time of `msb run -- true` (create disk, boot, exec, shut down, clean up)
#   (b) the guest's own timings for those runs (kernel boot, agent init), from --timings
#   (c) the baseline: raw QEMU booting the same kernel + initramfs with the same machine
#       and the same devices (image disk, upper disk, rng, agent port; as built by
#       src/engine/vm/qemu_cmdline.cc) until /init runs: the agent powers off at once
#       (msb.exit-at-init)
# Runs (a) and (c) alternately, N times each, and prints medians and the ratio a/c.
# Target (docs/targets.md): a/c <= 1.15.
#
#   bench/boot.sh [RUNS]        (default 7; needs a built tree: scripts/setup.sh)
# On a noisy host (the raw boot here swings by +-20 %) use 31 or more runs.
set -euo pipefail
runs=${1:-7}
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${MSB_BUILD_DIR:-$repo/build}
msb=$build/bin/msb
kit=$build/share/microsandbox
export MSB_HOME=${MSB_HOME:-$(mktemp -d /tmp/msb-bench-boot.XXXXXX)}

now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else printf "%.1f\n", (v[NR/2]+v[NR/2+1])/2}'; }

# The accelerator msb picks decides the baseline's flags.
probe=$("$msb" run --timings -- true 2>&1 >/dev/null | sed -n 's/^msb: timings //p')
engine=$(echo "$probe" | sed -n 's/.*"engine":"\([^"]*\)".*/\1/p')
case "$engine" in
  *kvm*) accel_args=(-accel kvm -cpu host,-arch-capabilities) ;;
  *) accel_args=(-accel tcg -cpu max) ;;
esac

# The same kernel command line as msb's, less the agent's msb.* words: under TCG msb hands
# the guest the host's TSC rate (src/engine/vm/tsc_frequency.h), cached by the probe run.
kernel_extra=""
if [[ $engine != *kvm* && -r $MSB_HOME/cache/tsc-khz ]]; then
  read -r tsc_boot tsc_khz < "$MSB_HOME/cache/tsc-khz"
  [[ $tsc_boot == $(cat /proc/sys/kernel/random/boot_id) ]] && kernel_extra=" tsc_early_khz=$tsc_khz"
fi

upper=$MSB_HOME/bench-upper.ext4
truncate -s 4G "$upper" && mkfs.ext4 -q -F -E lazy_itable_init=1,lazy_journal_init=1 "$upper"
baseline() {
  qemu-system-x86_64 "${accel_args[@]}" -M microvm,x-option-roms=off,isa-serial=on,rtc=on,acpi=off \
    -m 512 -smp 1 -nodefaults -no-user-config -display none -no-reboot \
    -kernel "$kit/vmlinux" -initrd "$kit/initramfs.cpio" \
    -append "console=ttyS0 quiet panic=-1 reboot=t rdinit=/init msb.exit-at-init$kernel_extra" \
    -drive id=rootfs,file="$kit/base.erofs",format=raw,if=none,readonly=on \
    -device virtio-blk-device,drive=rootfs,serial=rootfs \
    -drive id=upper,file="$upper",format=raw,if=none -device virtio-blk-device,drive=upper,serial=upper \
    -device virtio-rng-device -device virtio-serial-device \
    -chardev null,id=agent -device virtserialport,chardev=agent,name=agent
}

a=() c=() kernel=() agent=() ready=() exec=() shutdown=()
for ((i = 0; i < runs; i++)); do
  start=$(now_ms)
  timings=$("$msb" run --timings -- true 2>&1 >/dev/null | sed -n 's/^msb: timings //p')
  a+=($(($(now_ms) - start)))
  field() { echo "$timings" | sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
  kernel+=("$(field kernel_boot_ms)") agent+=("$(field agent_init_ms)")
  ready+=("$(field launch_to_ready_ms)") exec+=("$(field exec_ms)") shutdown+=("$(field shutdown_ms)")
  start=$(now_ms)
  baseline
  c+=($(($(now_ms) - start)))
done

m() { printf '%s\n' "$@" | median; }
ma=$(m "${a[@]}") mc=$(m "${c[@]}")
echo "bench/boot: $runs runs each, engine: $engine${kernel_extra:+, baseline kernel args:$kernel_extra}"
printf '  (a) msb run -- true, wall          median %8.1f ms   (runs: %s)\n' "$ma" "${a[*]}"
printf '  (b) guest kernel boot to agent     median %8.1f ms\n' "$(m "${kernel[@]}")"
printf '      guest agent init to ready      median %8.1f ms\n' "$(m "${agent[@]}")"
printf '      host launch to ready           median %8.1f ms\n' "$(m "${ready[@]}")"
printf '      exec true round trip           median %8.1f ms\n' "$(m "${exec[@]}")"
printf '      shutdown to QEMU exit          median %8.1f ms\n' "$(m "${shutdown[@]}")"
printf '  (c) raw QEMU boot to /init, wall   median %8.1f ms   (runs: %s)\n' "$mc" "${c[*]}"
awk -v a="$ma" -v c="$mc" 'BEGIN {printf "  ratio a/c = %.3f (target <= 1.15)\n", a / c}'
# This host's boot time swings by +-20 % from run to run; the median of the pairwise
# differences (each (a) next to its (c)) is steadier than the difference of the medians.
diffs=()
for ((i = 0; i < runs; i++)); do diffs+=($((a[i] - c[i]))); done
md=$(m "${diffs[@]}")
awk -v d="$md" -v c="$mc" 'BEGIN {printf "  paired: median (a - c) = %.1f ms, 1 + that / median (c) = %.3f\n", d, 1 + d / c}'
