// `msb image save` and `msb image load` end to end: a pulled image saved in both formats,
// removed, loaded back and run; an OCI layout directory loaded as it is; bad archives.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "msb_harness.h"
#include "shared_registry.h"

namespace msb::testing {
namespace {

using ::testing::HasSubstr;

class MsbImageArchive : public ::testing::Test {
 protected:
  void TearDown() override {
    EXPECT_TRUE(harness_.wait_no_qemu(std::chrono::seconds(5))) << "an engine process was left";
    EXPECT_TRUE(harness_.leftover_run_dirs().empty()) << "a runtime directory was left behind";
    EXPECT_TRUE(os::list_dir(harness_.home() + "/cache/archive-staging").empty());
  }
  static std::string image(const std::string& name) {
    return shared_registry().plain_host() + "/" + name + ":latest";
  }
  static std::string digest_of(const std::string& fixture) {
    return shared_registry().fixtures().at(fixture).at("digest");
  }
  std::string file(const std::string& name) const { return harness_.home() + "/" + name; }
  void expect_ok(const std::vector<std::string>& args) {
    MsbResult result = harness_.run(args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
  }
  // Saves `reference` in `format`, removes it with its cache files, loads it back.
  MsbResult save_remove_load(const std::string& reference, const std::string& format) {
    expect_ok({"pull", "-q", reference});
    expect_ok({"image", "save", reference, "-o", file("saved.tar"), "--format", format});
    expect_ok({"image", "rm", reference});
    EXPECT_EQ(harness_.run({"image", "ls", "-q"}).out, "");
    EXPECT_TRUE(os::list_dir(harness_.home() + "/cache/layers/sha256").empty());
    return harness_.run({"image", "load", "-i", file("saved.tar")});
  }

  MsbHarness harness_;
};

TEST_F(MsbImageArchive, DockerSaveOfAPulledImageLoadsBackAndRuns) {
  std::string reference = image("busybox");
  MsbResult loaded = save_remove_load(reference, "docker");
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
  EXPECT_THAT(loaded.out, HasSubstr("loaded " + reference + " (sha256:"));
  MsbResult run = harness_.run({"run", "-q", reference, "--", "cat", "/etc/passwd"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("root:x:0:0:root:/root:/bin/sh"));
}

TEST_F(MsbImageArchive, OciSaveKeepsTheManifestDigestAndLayerSemantics) {
  std::string reference = image("multilayer");
  MsbResult loaded = save_remove_load(reference, "oci");
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
  EXPECT_EQ(harness_.run({"image", "ls", "-q"}).out, digest_of("multilayer") + "\n");
  MsbResult run = harness_.run({"run", "-q", reference, "--", "sh", "-c",
                                "test -e /etc/deleted.txt && echo present; cat /zstd/hello.txt"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "from a zstd layer\n");
}

TEST_F(MsbImageArchive, AnArchiveOnStandardInputLoads) {
  std::string reference = image("busybox");
  expect_ok({"pull", "-q", reference});
  expect_ok({"image", "save", reference, "-o", file("piped.tar"), "--format", "oci"});
  expect_ok({"image", "rm", reference});
  MsbResult loaded = harness_.run({"image", "load", "-q", "-i", "-"}, std::chrono::seconds(300),
                                  file("piped.tar"));
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
  EXPECT_EQ(loaded.out, digest_of("busybox") + "\n");
  MsbResult implicit =
      harness_.run({"image", "load", "-q"}, std::chrono::seconds(300), file("piped.tar"));
  EXPECT_EQ(implicit.exit_code, 0) << implicit.err;
  MsbResult run = harness_.run({"run", "-q", reference, "--", "cat", "/etc/passwd"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  MsbResult empty = harness_.run({"image", "load", "-i", "-"});  // stdin is /dev/null
  EXPECT_NE(empty.exit_code, 0);
  EXPECT_THAT(empty.err, HasSubstr("standard input"));
}

TEST_F(MsbImageArchive, AnOciLayoutDirectoryLoadsWithAName) {
  std::string layout = std::string(MSB_FIXTURE_CACHE) + "/busybox";
  MsbResult unnamed = harness_.run({"image", "load", "-i", layout});
  EXPECT_NE(unnamed.exit_code, 0);
  EXPECT_THAT(unnamed.err, HasSubstr("only the tag 'latest'"));
  EXPECT_THAT(unnamed.err, HasSubstr("-t NAME"));
  MsbResult named = harness_.run({"image", "load", "-q", "-i", layout, "-t", "local/box:1"});
  ASSERT_EQ(named.exit_code, 0) << named.err;
  EXPECT_EQ(named.out, digest_of("busybox") + "\n");
  MsbResult run = harness_.run({"run", "-q", "local/box:1", "--", "cat", "/etc/passwd"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("root:x:0:"));
}

TEST_F(MsbImageArchive, BadArchivesAndUnknownImagesAreClearErrors) {
  ASSERT_TRUE(os::write_file(file("junk.tar"), std::string(4096, 'j')).has_value());
  MsbResult junk = harness_.run({"image", "load", "-i", file("junk.tar")});
  EXPECT_NE(junk.exit_code, 0);
  EXPECT_THAT(junk.err, HasSubstr("junk.tar"));
  MsbResult missing = harness_.run({"image", "save", "nothing:here", "-o", file("x.tar")});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_THAT(missing.err, HasSubstr("no image nothing:here"));
  EXPECT_FALSE(os::path_exists(file("x.tar")));
  MsbResult format = harness_.run({"image", "save", "x", "-o", file("x.tar"), "--format", "zip"});
  EXPECT_EQ(format.exit_code, 2) << format.err;
  EXPECT_EQ(harness_.run({"image", "ls", "-q"}).out, "");
}

}  // namespace
}  // namespace msb::testing
