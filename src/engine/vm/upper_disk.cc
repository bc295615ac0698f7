#include "engine/vm/upper_disk.h"

#include <fcntl.h>

#include <array>
#include <vector>

#include "common/paths.h"
#include "os/child_process.h"
#include "os/file.h"
#include "os/fs_calls.h"
#include "os/io.h"
#include "os/sparse_copy.h"

namespace msb::engine::vm {

namespace {

// Bump when the mkfs options change: older templates are then simply not used.
constexpr int kTemplateVersion = 1;

std::string template_path(const std::string& template_dir, uint64_t size_bytes,
                          UpperDiskJournal journal) {
  return fmt::format("{}/ext4-v{}-{}-{}.img", template_dir, kTemplateVersion, size_bytes,
                     journal == UpperDiskJournal::kNone ? "nojournal" : "journal");
}

// Runs an e2fsprogs tool; its output becomes the error message when it fails, that is when
// it exits with more than `max_ok_code` (e2fsck exits 1 after fixing something, fine here).
Result<void> run_e2fs_tool(const std::string& tool, std::vector<std::string> args,
                           int max_ok_code = 0) {
  Result<std::string> program = os::find_host_executable(tool);
  if (!program)
    return err(ErrorKind::kNotFound, "{} not found; install it with: apt-get install e2fsprogs",
               tool);
  os::PipePair output = MSB_TRY(os::make_pipe());
  os::SpawnOptions options;
  options.argv = {*program};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.fds = {{output.write.get(), 1}, {output.write.get(), 2}};
  os::ChildProcess child = MSB_TRY(os::ChildProcess::spawn(options));
  output.write.reset();
  std::string messages = MSB_TRY(os::read_to_end(output.read.get()));
  os::ExitStatus status = MSB_TRY(child.wait());
  if (status.signal != 0 || status.code > max_ok_code)
    return err(ErrorKind::kIo, "{} exited with {}: {}", tool, status.shell_code(), messages);
  return {};
}

Result<void> make_filesystem(const std::string& path, UpperDiskJournal journal) {
  std::vector<std::string> args = {"-q", "-F", "-E", "lazy_itable_init=1,lazy_journal_init=1"};
  if (journal == UpperDiskJournal::kNone) args.insert(args.end(), {"-O", "^has_journal"});
  args.insert(args.end(), {"-L", "msb-upper", path});
  MSB_TRY(run_e2fs_tool("mkfs.ext4", std::move(args)));
  // The overlay's upper and work directories (root-owned, 0755), made here once rather than
  // by the agent at every boot: the first ext4 mkdirs cost the guest ~15-20 ms under TCG.
  std::string commands = path + ".debugfs";
  MSB_TRY(os::write_file(commands, std::string("mkdir ") + kUpperDiskUpperDir + "\nmkdir " +
                                       kUpperDiskWorkDir + "\n"));
  Result<void> made = run_e2fs_tool("debugfs", {"-w", "-f", commands, path});
  (void)os::remove_file(commands);
  return made;
}

// A usable template: the expected size and the ext2/3/4 magic (0xEF53, little-endian, at
// byte 56 of the superblock, which starts at byte 1024). Anything else is formatted again.
bool is_valid_template(const std::string& path, uint64_t size_bytes) {
  Result<os::Fd> fd = os::open_file(path, O_RDONLY);
  if (!fd) return false;
  Result<os::FileStatus> status = os::stat_fd(fd->get());
  if (!status || status->size != size_bytes) return false;
  std::array<char, 2> magic{};
  Result<size_t> got = os::read_at_offset(fd->get(), magic, 1024 + 56);
  return got && *got == magic.size() && magic[0] == '\x53' && magic[1] == '\xEF';
}

// Formats the template once: into a temporary sibling, synced, then renamed into place, so
// that a crash or a racing msb never leaves a half-made template under the final name.
Result<void> format_template(const std::string& path, uint64_t size_bytes,
                             UpperDiskJournal journal) {
  std::string temp = os::temp_sibling_name(path);
  Result<void> made = [&]() -> Result<void> {
    MSB_TRY(os::create_sparse_file(temp, size_bytes));
    MSB_TRY(make_filesystem(temp, journal));
    os::Fd fd = MSB_TRY(os::open_file(temp, O_RDONLY));
    MSB_TRY(os::sync_fd(fd.get()));
    return os::rename_at(AT_FDCWD, temp, AT_FDCWD, path);
  }();
  if (!made) (void)os::remove_file(temp);
  return std::move(made).context("format upper disk template {}", path);
}

}  // namespace

Result<void> create_upper_disk(const std::string& path, uint64_t size_bytes,
                               UpperDiskJournal journal, const std::string& template_dir) {
  std::string source = template_path(template_dir, size_bytes, journal);
  Result<void> created = [&]() -> Result<void> {
    if (!is_valid_template(source, size_bytes)) {
      MSB_TRY(os::make_dirs(template_dir));
      MSB_TRY(format_template(source, size_bytes, journal));
    }
    // A fresh name, renamed over `path`: a failed copy never leaves half a disk behind.
    std::string temp = os::temp_sibling_name(path);
    MSB_TRY(os::copy_sparse_file(source, temp));
    Result<void> renamed = os::rename_at(AT_FDCWD, temp, AT_FDCWD, path);
    if (!renamed) (void)os::remove_file(temp);
    return renamed;
  }();
  return std::move(created).context("create upper disk {}", path);
}

Result<void> grow_upper_disk(const std::string& path, uint64_t new_bytes) {
  os::FileStatus status =
      MSB_TRY(std::move(os::stat_at(AT_FDCWD, path, true)).context("upper disk {}", path));
  if (new_bytes <= status.size)
    return err(ErrorKind::kInvalidConfig,
               "upper disk {} is {} bytes: it can only grow, not to {} bytes", path, status.size,
               new_bytes);
  std::string temp = os::temp_sibling_name(path);
  Result<void> grown = [&]() -> Result<void> {
    MSB_TRY(os::copy_sparse_file(path, temp));
    MSB_TRY(os::set_file_size(temp, new_bytes));
    // resize2fs refuses a filesystem that was not checked since it was last mounted; -p
    // also replays the journal of a sandbox that crashed. Exit 1: errors fixed, still fine.
    MSB_TRY(run_e2fs_tool("e2fsck", {"-f", "-p", temp}, /*max_ok_code=*/1));
    MSB_TRY(run_e2fs_tool("resize2fs", {temp}));
    os::Fd fd = MSB_TRY(os::open_file(temp, O_RDONLY));
    MSB_TRY(os::sync_fd(fd.get()));
    return os::rename_at(AT_FDCWD, temp, AT_FDCWD, path);
  }();
  if (!grown) (void)os::remove_file(temp);
  return std::move(grown).context("grow upper disk {} to {} bytes", path, new_bytes);
}

std::string default_upper_disk_template_dir() { return msb_cache_dir() + "/upper-disks"; }

}  // namespace msb::engine::vm
