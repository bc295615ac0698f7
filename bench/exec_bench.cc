// bench/exec: round trip of `exec true` in a running sandbox through the public SDK
// (client -> agent.sock -> supervisor relay -> agent -> back), median over N runs, next to
// the same exec with a fresh connection per call and `sh -c true`.
// Then the fs API's throughput: a file of MIB MiB written and read back (sha-checked by
// size only; the integration tests check content).
//   build/bin/exec_bench [RUNS] [MIB] [vm|namespace]
#include <microsandbox/sandbox.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "median.h"

using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  using msb::bench::median_ms;
  int runs = argc > 1 ? std::max(5, std::atoi(argv[1])) : 50;
  size_t mib = argc > 2 ? static_cast<size_t>(std::max(1, std::atoi(argv[2]))) : 256;
  std::string isolation = argc > 3 ? argv[3] : "vm";
  using microsandbox::Sandbox;
  try {
    Sandbox sandbox =
        Sandbox::builder("bench-exec").isolation(isolation).replace().ephemeral().create();
    sandbox.exec("/bin/true");  // the first exec of a binary is cold in any guest
    double fresh = median_ms(runs, [&] { Sandbox::connect("bench-exec").exec("/bin/true"); });
    double kept = median_ms(runs, [&] { sandbox.exec("/bin/true"); });
    double shell = median_ms(runs, [&] { sandbox.shell("true"); });
    double streamed = median_ms(runs, [&] { sandbox.exec_stream("/bin/true").wait(); });
    std::printf("bench/exec: %d runs each, engine: %s%s\n", runs, isolation.c_str(),
                isolation == "vm" ? " (accelerator as detected)" : "");
    std::printf("  exec /bin/true, one connection      median %7.2f ms   (target: TCG 20, ns 5)\n",
                kept);
    std::printf("  exec sh -c true, one connection     median %7.2f ms\n", shell);
    std::printf("  exec_stream /bin/true + wait()      median %7.2f ms\n", streamed);
    std::printf("  exec /bin/true, connection per call median %7.2f ms\n", fresh);
    std::string chunk(1 << 20, 'x');
    microsandbox::SandboxFs fs = sandbox.fs();
    Clock::time_point start = Clock::now();
    microsandbox::FileWriter writer = fs.open_write("/root/bench.bin");
    for (size_t i = 0; i < mib; ++i) writer.write(chunk);
    writer.close();
    double write_s = std::chrono::duration<double>(Clock::now() - start).count();
    start = Clock::now();
    uint64_t read = fs.read_stream("/root/bench.bin", [](std::string_view) {});
    double read_s = std::chrono::duration<double>(Clock::now() - start).count();
    if (read != mib << 20) throw microsandbox::Error(microsandbox::ErrorKind::kIo, "short read");
    std::printf("  fs write %zu MiB                      %7.1f MiB/s\n", mib, mib / write_s);
    std::printf("  fs read  %zu MiB                      %7.1f MiB/s   (target >= 200 MiB/s ns)\n",
                mib, mib / read_s);
    fs.remove("/root/bench.bin");
    sandbox.stop_and_wait();
  } catch (const microsandbox::Error& error) {
    std::fprintf(stderr, "bench/exec: %s\n", error.what());
    return 1;
  }
  return 0;
}
