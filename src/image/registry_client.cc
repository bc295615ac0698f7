#include "image/registry_client.h"

#include <curl/curl.h>

#include <thread>

#include "image/digest.h"
#include "image/http_client.h"
#include "image/json_fields.h"
#include "image/registry_auth.h"

namespace msb::image {
namespace {

constexpr int kMaxRedirects = 10;
constexpr size_t kMaxErrorBody = 64 << 10;
const std::string kAcceptManifests = fmt::format(
    "Accept: {}, {}, {}, {}", kOciIndex, kDockerManifestList, kOciManifest, kDockerManifest);

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string sha256_of(std::string_view data) {
  Sha256 hash;
  hash.update(data.data(), data.size());
  return hash.finish();
}

// {"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]} -> code, message.
std::pair<std::string, std::string> registry_error(const std::string& body) {
  Result<Json> json = parse_json_object(body, kMaxErrorBody, "error");
  if (!json) return {};
  const Json* errors = find_member(*json, "errors");
  if (errors == nullptr || !errors->is_array() || errors->empty()) return {};
  const Json& first = (*errors)[0];
  Result<std::optional<std::string>> code = optional_string(first, "code", "error");
  Result<std::optional<std::string>> message = optional_string(first, "message", "error");
  return {code && *code ? **code : "", message && *message ? **message : ""};
}

}  // namespace

RegistryClient::RegistryClient(Reference ref, RegistryOptions options,
                               std::unique_ptr<HttpClient> http)
    : ref_(std::move(ref)), options_(std::move(options)), http_(std::move(http)) {}

RegistryClient::~RegistryClient() = default;

Result<std::unique_ptr<RegistryClient>> RegistryClient::create(const Reference& ref,
                                                               RegistryOptions options) {
  HttpOptions http_options{.allow_plain_http = options.insecure,
                           .connect_timeout = options.connect_timeout,
                           .stall_timeout = options.stall_timeout};
  std::unique_ptr<HttpClient> http = MSB_TRY(HttpClient::create(std::move(http_options)));
  MSB_TRY(Sha256::available());  // every blob and manifest is checked against its digest
  if (options.max_attempts < 1) options.max_attempts = 1;
  return std::unique_ptr<RegistryClient>(
      new RegistryClient(ref, std::move(options), std::move(http)));
}

std::string RegistryClient::base_url() const {
  return (options_.insecure ? "http://" : "https://") + ref_.api_host();
}

Result<void> RegistryClient::authenticate(const HttpResponse& challenge_response) {
  Challenge challenge =
      MSB_TRY(pick_challenge(challenge_response.header_values("www-authenticate"), ref_.registry));
  std::string answer = MSB_TRY(
      answer_challenge(*http_, challenge, ref_.registry, ref_.repository, options_.credentials));
  std::lock_guard lock(auth_mutex_);
  authorization_ = std::move(answer);
  return {};
}

Result<HttpResponse> RegistryClient::exchange(HttpRequest request) {
  std::string origin = MSB_TRY(parse_url(base_url())).authority();
  const std::vector<std::string> base_headers = request.headers;
  bool answered_challenge = false;
  for (int hop = 0; hop <= kMaxRedirects;) {
    bool to_registry = MSB_TRY(parse_url(request.url)).authority() == origin;
    request.headers = base_headers;
    if (to_registry) {
      // SECURITY: the registry's credentials never go to another host (blob storage).
      std::lock_guard lock(auth_mutex_);
      if (!authorization_.empty()) request.headers.push_back("Authorization: " + authorization_);
    }
    HttpResponse response = MSB_TRY(http_->get(request));
    if (!response.transport_error.empty()) return response;
    if (response.status == 401 && to_registry && !answered_challenge) {
      MSB_TRY(authenticate(response));
      answered_challenge = true;
      continue;
    }
    if (!is_redirect(response.status) || response.redirect_url.empty()) return response;
    request.url = response.redirect_url;
    ++hop;
  }
  return err(ErrorKind::kIo, "more than {} redirects", kMaxRedirects);
}

bool RegistryClient::should_retry(const HttpResponse& response, int attempt) const {
  if (attempt + 1 >= options_.max_attempts) return false;
  if (!response.transport_error.empty()) {
    switch (response.curl_code) {
      case CURLE_COULDNT_CONNECT:
      case CURLE_OPERATION_TIMEDOUT:
      case CURLE_RECV_ERROR:
      case CURLE_SEND_ERROR:
      case CURLE_PARTIAL_FILE:
      case CURLE_GOT_NOTHING:
      case CURLE_HTTP2:
      case CURLE_HTTP2_STREAM:
        return true;
      default:
        return false;
    }
  }
  long status = response.status;
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
         status == 504;
}

void RegistryClient::back_off(const HttpResponse& response, int attempt) const {
  std::chrono::milliseconds delay = options_.initial_backoff * (1 << std::min(attempt, 16));
  std::string retry_after = response.header("retry-after");
  if (!retry_after.empty() && retry_after.find_first_not_of("0123456789") == std::string::npos &&
      retry_after.size() < 6)
    delay = std::chrono::seconds(std::stoi(retry_after));
  std::this_thread::sleep_for(std::min(delay, options_.max_backoff));
}

Result<HttpResponse> RegistryClient::get_with_retries(const HttpRequest& request) {
  for (int attempt = 0;; ++attempt) {
    HttpResponse response = MSB_TRY(exchange(request));
    if (!should_retry(response, attempt)) return response;
    back_off(response, attempt);
  }
}

tl::unexpected<Error> RegistryClient::response_error(const HttpResponse& response,
                                                     std::string_view what) const {
  if (!response.transport_error.empty()) {
    bool tls = response.curl_code == CURLE_SSL_CONNECT_ERROR ||
               response.curl_code == CURLE_PEER_FAILED_VERIFICATION ||
               response.curl_code == CURLE_UNSUPPORTED_PROTOCOL;
    return err(ErrorKind::kIo, "{}: {}{}", what, response.transport_error,
               tls && !options_.insecure
                   ? " (a plain-HTTP registry is used only when marked insecure)"
                   : "");
  }
  if (response.status == 401 || response.status == 403)
    return err(ErrorKind::kPermissionDenied, "authentication failed for {}", ref_.registry);
  auto [code, message] = registry_error(response.body);
  if (code == "MANIFEST_UNKNOWN" || code == "NAME_UNKNOWN" ||
      (response.status == 404 && what.starts_with("manifest"))) {
    return err(ErrorKind::kImageNotFound, "{}",
               message.empty() ? std::string("manifest unknown") : message);
  }
  if (response.status == 404)
    return err(ErrorKind::kNotFound, "{}: {}", what, message.empty() ? "not found" : message);
  return err(ErrorKind::kIo, "{}: HTTP {}{}{}", what, response.status, message.empty() ? "" : ": ",
             message);
}

Result<std::pair<std::string, std::string>> RegistryClient::fetch_manifest(const std::string& key) {
  HttpRequest request{.url = base_url() + "/v2/" + ref_.repository + "/manifests/" + key,
                      .headers = {kAcceptManifests},
                      .body_limit = kMaxManifestBytes};
  HttpResponse response = MSB_TRY(get_with_retries(request));
  if (response.body_too_large)
    return err(ErrorKind::kIo, "manifest {} is larger than {} bytes", key, kMaxManifestBytes);
  if (!response.ok()) return response_error(response, "manifest " + key);
  return std::pair{std::move(response.body), response.header("content-type")};
}

Result<Manifest> RegistryClient::resolve_manifest(const Reference& ref, const Platform& platform) {
  auto [raw, content_type] = MSB_TRY(fetch_manifest(ref.manifest_key()));
  std::string digest = sha256_of(raw);
  if (!ref.digest.empty() && digest != ref.digest)
    return err(ErrorKind::kIntegrity, "digest mismatch: expected {}, got {}", ref.digest, digest);
  std::string media_type = MSB_TRY(detect_media_type(raw, content_type));
  if (!is_index_media_type(media_type)) return parse_manifest(raw, digest);
  Index index = MSB_TRY(parse_index(raw));
  Descriptor entry = MSB_TRY(select_platform(index, platform));
  auto [entry_raw, entry_type] = MSB_TRY(fetch_manifest(entry.digest));
  std::string entry_digest = sha256_of(entry_raw);
  if (entry_digest != entry.digest || static_cast<int64_t>(entry_raw.size()) != entry.size) {
    return err(ErrorKind::kIntegrity, "digest mismatch: expected {}, got {} ({} bytes)",
               entry.digest, entry_digest, entry_raw.size());
  }
  return parse_manifest(entry_raw, entry_digest);
}

Result<Manifest> RegistryClient::resolve(const Reference& ref, const Platform& platform) {
  if (ref.registry != ref_.registry || ref.repository != ref_.repository) {
    return err(ErrorKind::kInvalidArgument, "pull {}: this client is for {}/{}", ref.str(),
               ref_.registry, ref_.repository);
  }
  return resolve_manifest(ref, platform).context("pull {}", ref.str());
}

Result<std::string> RegistryClient::fetch_blob_bytes(const Descriptor& blob) {
  MSB_TRY(digest_hex(blob.digest));
  if (blob.size < 0 || static_cast<uint64_t>(blob.size) > kMaxConfigBytes) {
    return err(ErrorKind::kInvalidArgument, "blob {} is too large to hold in memory ({} bytes)",
               blob.digest, blob.size);
  }
  HttpRequest request{.url = blob_url(blob),
                      .body_limit = std::max<size_t>(blob.size, kMaxErrorBody)};
  HttpResponse response = MSB_TRY(get_with_retries(request));
  if (!response.ok()) return response_error(response, "blob " + blob.digest);
  if (response.body.size() != static_cast<uint64_t>(blob.size)) {
    return err(ErrorKind::kIntegrity, "blob {}: size mismatch: expected {} bytes, got {}",
               blob.digest, blob.size, response.body.size());
  }
  std::string digest = sha256_of(response.body);
  if (digest != blob.digest)
    return err(ErrorKind::kIntegrity, "digest mismatch: expected {}, got {}", blob.digest, digest);
  return std::move(response.body);
}

std::string RegistryClient::blob_url(const Descriptor& blob) const {
  return base_url() + "/v2/" + ref_.repository + "/blobs/" + blob.digest;
}

}  // namespace msb::image
