#include "image/sha256_worker.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tar_builder.h"

namespace msb::image {
namespace {

TEST(Sha256Worker, HashesSubmissionsInOrder) {
  std::vector<std::string> pieces;
  std::string whole;
  for (int i = 0; i < 200; ++i) {
    pieces.push_back(std::string(static_cast<size_t>(i) * 997, static_cast<char>('a' + i % 26)));
    whole += pieces.back();
  }
  Sha256Worker worker;
  uint64_t last = 0;
  for (const std::string& piece : pieces) last = worker.submit(piece);
  worker.wait_for(last);
  EXPECT_EQ(worker.finish(), testing::sha256_of(whole));
}

TEST(Sha256Worker, ABufferCanBeReusedOnceItsTicketIsDone) {
  std::string buffer(100'000, 'x'), whole;
  Sha256Worker worker;
  for (char fill : {'a', 'b', 'c'}) {
    buffer.assign(buffer.size(), fill);
    whole += buffer;
    worker.wait_for(worker.submit(buffer));
  }
  EXPECT_EQ(worker.finish(), testing::sha256_of(whole));
}

TEST(Sha256Worker, NothingSubmittedIsTheEmptyDigest) {
  Sha256Worker worker;
  EXPECT_EQ(worker.finish(), testing::sha256_of(""));
}

}  // namespace
}  // namespace msb::image
