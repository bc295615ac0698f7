// The TSC frequency a TCG guest sees: QEMU's rdtsc returns the host's own counter.
//
// Given to the guest kernel as tsc_early_khz, it spares the kernel calibrating its TSC
// against the emulated PIT, which failed on about one TCG boot in four on our 2-core host
// and left the guest on the 10 ms jiffies clock (its boot timings, sleeps and timers all in
// 10 ms steps). Under KVM the guest has kvm-clock and needs none of this.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace msb::engine::vm {

// The host's TSC rate in kHz, when the host kernel keeps time with the TSC itself (its
// clocksource is "tsc": invariant and trusted). Measured against CLOCK_MONOTONIC_RAW over
// 20 ms once per host boot and cached in `cache_dir`/tsc-khz with the boot id (best effort:
// an unwritable cache only means measuring again). nullopt when the TSC is not usable.
std::optional<uint64_t> host_tsc_khz(const std::string& cache_dir);

// One measurement of the TSC rate over `window_ms` (no cache, no clocksource check);
// nullopt when the result is not a plausible CPU clock (100 MHz .. 10 GHz).
std::optional<uint64_t> measure_tsc_khz(uint32_t window_ms);

// The cache file's line: "<boot id> <kHz>". parse returns the kHz when `boot_id` matches.
std::string format_tsc_cache(const std::string& boot_id, uint64_t khz);
std::optional<uint64_t> parse_tsc_cache(const std::string& text, const std::string& boot_id);

}  // namespace msb::engine::vm
