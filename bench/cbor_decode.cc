// bench/cbor_decode: decoding one fs.data frame body of SIZE KiB (default 256) with the
// purpose-built reader (protocol/message_decode.cc) next to the nlohmann-json reader it
// replaced (protocol/json_decode.cc), medians over RUNS decodes each, on this host's CPU.
//   build/bin/cbor_decode_bench [RUNS] [SIZE_KIB]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "median.h"
#include "protocol/frame.h"
#include "protocol/json_decode.h"
#include "protocol/messages.h"

using Clock = std::chrono::steady_clock;

namespace {

using Decoder =
    std::function<tl::expected<msb::protocol::Message, msb::protocol::CoreError>(std::string_view)>;

// Median seconds of one decode; exits on a decode failure or a wrong result.
double median_seconds(int runs, std::string_view body, size_t expected, const Decoder& decode) {
  std::vector<double> samples;
  for (int i = 0; i < runs; ++i) {
    Clock::time_point start = Clock::now();
    auto decoded = decode(body);
    samples.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    if (!decoded || std::get<msb::protocol::FsData>(*decoded).data.data.size() != expected) {
      std::fprintf(stderr, "bench/cbor_decode: decode failed\n");
      std::exit(1);
    }
  }
  return msb::bench::median(std::move(samples));
}

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::max(5, std::atoi(argv[1])) : 200;
  size_t kib = argc > 2 ? static_cast<size_t>(std::max(1, std::atoi(argv[2]))) : 256;
  std::string data(kib * 1024, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 2654435761u) >> 13);
  msb::Result<std::string> frame =
      msb::protocol::encode_message(7, 0, msb::protocol::FsData{{data}});
  if (!frame) return 1;
  std::string_view body = std::string_view(*frame).substr(msb::protocol::kHeaderBytes);
  double fresh = median_seconds(runs, body, data.size(), msb::protocol::decode_body);
  double json = median_seconds(runs, body, data.size(), msb::protocol::decode_body_json);
  double mib = static_cast<double>(data.size()) / (1 << 20);
  std::printf("bench/cbor_decode: fs.data frame of %zu KiB, median of %d decodes each (host CPU)\n",
              kib, runs);
  std::printf("  nlohmann-json (old)   %9.1f us   %8.1f MiB/s\n", json * 1e6, mib / json);
  std::printf("  CborReader (new)      %9.1f us   %8.1f MiB/s\n", fresh * 1e6, mib / fresh);
  std::printf("  ratio old/new         %9.1f x\n", json / fresh);
  return 0;
}
