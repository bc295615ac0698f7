// RegistryClient::fetch_blob: resumable, verified blob downloads into a partial file.
#include <fcntl.h>

#include <algorithm>
#include <optional>
#include <span>
#include <vector>

#include "image/digest.h"
#include "image/registry_client.h"
#include "os/file.h"
#include "os/file_status.h"
#include "os/io.h"

namespace msb::image {
namespace {

// The first byte position of "bytes 100-199/200", or nullopt.
std::optional<uint64_t> content_range_start(std::string_view header) {
  if (!header.starts_with("bytes ")) return std::nullopt;
  header.remove_prefix(6);
  size_t dash = header.find('-');
  if (dash == 0 || dash == std::string_view::npos || dash > 19) return std::nullopt;
  uint64_t start = 0;
  for (char c : header.substr(0, dash)) {
    if (c < '0' || c > '9') return std::nullopt;
    start = start * 10 + static_cast<uint64_t>(c - '0');
  }
  return start;
}

Result<uint64_t> existing_size(const std::string& path) {
  Result<os::FileStatus> status = os::lstat_path(path);
  if (!status && status.error().kind == ErrorKind::kNotFound) return uint64_t{0};
  if (!status) return tl::unexpected(status.error());
  return status->size;
}

// Feeds `hash` the first `size` bytes of the file at `path` (the part a resumed download
// keeps).
Result<void> hash_prefix(const std::string& path, uint64_t size, Sha256& hash) {
  os::Fd fd = MSB_TRY(os::open_file(path, O_RDONLY));
  std::vector<char> buffer(1 << 20);
  while (size > 0) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(size, buffer.size()));
    size_t got = MSB_TRY(os::read_some(fd.get(), std::span<char>(buffer.data(), want)));
    if (got == 0) return err(ErrorKind::kIo, "{} shrank while resuming", path);
    hash.update(buffer.data(), got);
    size -= got;
  }
  return {};
}

}  // namespace

// The blob is hashed as it is written, so that it is not read back only to be verified.
Result<void> RegistryClient::download_attempt(const Descriptor& blob,
                                              const std::string& partial_path,
                                              const std::function<void(uint64_t)>& progress,
                                              HttpResponse& response, std::optional<Sha256>& hash) {
  hash.reset();
  const uint64_t size = static_cast<uint64_t>(blob.size);
  uint64_t offset = MSB_TRY(existing_size(partial_path));
  if (offset > size) {
    MSB_TRY(os::remove_file(partial_path));
    offset = 0;
  }
  if (offset == size && size > 0) {
    response.status = 200;  // already complete (left by an earlier run): just verify
    return {};
  }
  if (progress) progress(offset);
  os::Fd fd;
  uint64_t written = offset;
  std::optional<Error> sink_error;
  bool too_large = false;
  BodySink sink{.begin =
                    [&](const HttpResponse& head) {
                      bool resumed = offset > 0 && head.status == 206;
                      if (resumed && content_range_start(head.header("content-range")) != offset) {
                        sink_error = Error{ErrorKind::kIo, 0, "server resumed at the wrong offset"};
                        return false;
                      }
                      if (!resumed) written = 0;  // the server ignored Range: start over
                      hash.emplace();
                      if (resumed) {
                        Result<void> hashed = hash_prefix(partial_path, offset, *hash);
                        if (!hashed) {
                          sink_error = hashed.error();
                          return false;
                        }
                      }
                      int flags = O_WRONLY | O_CREAT | (resumed ? O_APPEND : O_TRUNC);
                      Result<os::Fd> opened = os::open_file(partial_path, flags, 0644);
                      if (!opened) sink_error = opened.error();
                      if (opened) fd = std::move(*opened);
                      return opened.has_value();
                    },
                .write =
                    [&](std::string_view chunk) {
                      if (written + chunk.size() > size) {
                        too_large = true;
                        return false;
                      }
                      Result<void> wrote = os::write_all(fd.get(), chunk);
                      if (!wrote) {
                        sink_error = wrote.error();
                        return false;
                      }
                      hash->update(chunk.data(), chunk.size());
                      written += chunk.size();
                      if (progress) progress(written);
                      return true;
                    }};
  HttpRequest request{.url = blob_url(blob), .sink = &sink, .body_limit = 64 << 10};
  if (offset > 0) request.range_start = offset;
  response = MSB_TRY(exchange(request));
  if (sink_error) return tl::unexpected(*sink_error);
  if (too_large) {
    MSB_TRY(os::remove_file(partial_path));
    return err(ErrorKind::kIo, "the server sent more than the blob's {} bytes", size);
  }
  if (response.ok() && !fd.valid() && size == 0) {
    MSB_TRY(os::write_file(partial_path, ""));  // an empty blob has no body to open it
    hash.emplace();
  }
  return {};
}

Result<void> RegistryClient::verify_download(const Descriptor& blob,
                                             const std::string& partial_path, std::string digest) {
  uint64_t got_size = MSB_TRY(existing_size(partial_path));
  if (got_size != static_cast<uint64_t>(blob.size)) {
    MSB_TRY(os::remove_file(partial_path));
    return err(ErrorKind::kIntegrity, "size mismatch: expected {} bytes, got {}", blob.size,
               got_size);
  }
  if (digest.empty()) digest = MSB_TRY(sha256_file(partial_path));
  if (digest != blob.digest) {
    // SECURITY: corrupt or tampered bytes must not survive to be resumed or unpacked.
    MSB_TRY(os::remove_file(partial_path));
    return err(ErrorKind::kIntegrity, "digest mismatch: expected {}, got {}", blob.digest, digest);
  }
  return {};
}

Result<void> RegistryClient::fetch_blob(const Descriptor& blob, const std::string& partial_path,
                                        const std::function<void(uint64_t)>& progress) {
  MSB_TRY(digest_hex(blob.digest).context("fetch blob"));
  if (blob.size < 0) return err(ErrorKind::kInvalidArgument, "blob {}: negative size", blob.digest);
  std::optional<Sha256> hash;
  for (int attempt = 0;; ++attempt) {
    HttpResponse response;
    MSB_TRY(download_attempt(blob, partial_path, progress, response, hash)
                .context("blob {}", blob.digest));
    if (response.ok()) break;
    bool range_refused = response.status == 416 && attempt + 1 < options_.max_attempts;
    if (range_refused) MSB_TRY(os::remove_file(partial_path));
    if (range_refused || should_retry(response, attempt)) {
      if (!range_refused) back_off(response, attempt);
      continue;
    }
    return response_error(response, "blob " + blob.digest);
  }
  std::string digest = hash ? hash->finish() : "";
  return verify_download(blob, partial_path, std::move(digest)).context("blob {}", blob.digest);
}

}  // namespace msb::image
