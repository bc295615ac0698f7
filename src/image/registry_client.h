// RegistryClient: pulls manifests and blobs from one repository of an OCI distribution
// registry over libcurl, with bearer/basic auth, retries, redirects and Range resume.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "image/credentials.h"
#include "image/digest.h"
#include "image/http_client.h"
#include "image/manifest.h"
#include "image/reference.h"

namespace msb::image {

struct RegistryOptions {
  // Talk plain HTTP (never TLS) to the registry, token realm and redirects.
  bool insecure = false;
  std::optional<Credentials> credentials;
  // Tries per request for 429, 5xx and connection errors (cut, refused, stalled).
  int max_attempts = 4;
  std::chrono::milliseconds initial_backoff{500};  // doubled per retry
  std::chrono::milliseconds max_backoff{8000};     // also caps Retry-After
  std::chrono::milliseconds connect_timeout{30'000};
  std::chrono::seconds stall_timeout{60};
};

class RegistryClient {
 public:
  // A client for `ref`'s registry and repository. Errors: kInternal (libcurl).
  static Result<std::unique_ptr<RegistryClient>> create(const Reference& ref,
                                                        RegistryOptions options);
  ~RegistryClient();

  // The manifest for `ref` on `platform`: follows an index, verifies the manifest digest
  // when fetched by digest (and against the index entry), returns digest = sha256 of the
  // bytes served. Errors (message prefixed "pull <ref>"): kImageNotFound (manifest
  // unknown), kPermissionDenied (authentication), kNotFound (platform not in the index),
  // kIo (transport, HTTP errors), kIntegrity (digest or size mismatch),
  // kInvalidArgument/kUnsupported (bad manifest). Thread-safe.
  Result<Manifest> resolve(const Reference& ref, const Platform& platform);
  // A small blob (config) in memory, verified; at most kMaxConfigBytes. Thread-safe.
  Result<std::string> fetch_blob_bytes(const Descriptor& blob);
  // Downloads `blob` into `partial_path`, resuming with Range from the file's current size
  // when the server allows (else restarting), calling progress(bytes_so_far), retrying
  // 429/5xx/connection errors with backoff, following redirects (dropping Authorization on
  // another host). Verifies size and digest of the whole file; a mismatch removes the
  // partial file and fails kIntegrity "digest mismatch: expected X, got Y". Thread-safe (for
  // different paths).
  Result<void> fetch_blob(const Descriptor& blob, const std::string& partial_path,
                          const std::function<void(uint64_t)>& progress);

 private:
  RegistryClient(Reference ref, RegistryOptions options, std::unique_ptr<HttpClient> http);
  std::string base_url() const;
  std::string blob_url(const Descriptor& blob) const;
  // One GET with auth negotiation and redirects, no retries.
  Result<HttpResponse> exchange(HttpRequest request);
  // exchange() retried while the failure is transient.
  Result<HttpResponse> get_with_retries(const HttpRequest& request);
  bool should_retry(const HttpResponse& response, int attempt) const;
  void back_off(const HttpResponse& response, int attempt) const;
  Result<void> authenticate(const HttpResponse& challenge_response);
  tl::unexpected<Error> response_error(const HttpResponse& response, std::string_view what) const;
  // The body and Content-Type of manifest `key` (tag or digest).
  Result<std::pair<std::string, std::string>> fetch_manifest(const std::string& key);
  Result<Manifest> resolve_manifest(const Reference& ref, const Platform& platform);
  // One download request; `response` tells the caller whether to retry. `hash` ends up
  // holding the sha256 of the whole partial file as written (prefix kept from an earlier
  // run included), or empty when nothing was downloaded.
  Result<void> download_attempt(const Descriptor& blob, const std::string& partial_path,
                                const std::function<void(uint64_t)>& progress,
                                HttpResponse& response, std::optional<Sha256>& hash);
  // Checks size and digest; `digest` is the hash taken while downloading, or "" to read
  // the file again.
  Result<void> verify_download(const Descriptor& blob, const std::string& partial_path,
                               std::string digest);

  Reference ref_;
  RegistryOptions options_;
  std::unique_ptr<HttpClient> http_;
  std::mutex auth_mutex_;
  std::string authorization_;  // GUARDED_BY(auth_mutex_): "Bearer ..." / "Basic ..." or ""
};

}  // namespace msb::image
