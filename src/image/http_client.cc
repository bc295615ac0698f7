#include "image/http_client.h"

#include <algorithm>
#include <cctype>

#include "common/defer.h"
#include "image/curl_api.h"

namespace msb::image {
namespace {

constexpr long kReceiveBufferBytes = 256 << 10;

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

// State of one transfer, shared with libcurl's callbacks.
struct Transfer {
  const CurlApi* curl;
  CURL* handle;
  const HttpRequest* request;
  HttpResponse* response;
  bool sink_started = false;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    transfer->response->headers.clear();  // a new response (after 100 Continue)
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    transfer->response->headers.emplace_back(lowercase(trim(line.substr(0, colon))),
                                             std::string(trim(line.substr(colon + 1))));
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view chunk(data, size * count);
  HttpResponse& response = *transfer->response;
  transfer->curl->easy_getinfo(transfer->handle, CURLINFO_RESPONSE_CODE, &response.status);
  const BodySink* sink = transfer->request->sink;
  if (sink != nullptr && response.status >= 200 && response.status < 300) {
    if (!transfer->sink_started) {
      transfer->sink_started = true;
      if (!sink->begin(response)) return 0;
    }
    return sink->write(chunk) ? chunk.size() : 0;
  }
  if (response.body.size() + chunk.size() > transfer->request->body_limit) {
    response.body_too_large = true;
    return 0;
  }
  response.body.append(chunk);
  return chunk.size();
}

struct SlistDeleter {
  const CurlApi* curl;
  void operator()(curl_slist* list) const { curl->slist_free_all(list); }
};

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return "";
}

std::vector<std::string> HttpResponse::header_values(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : headers) {
    if (key == name) values.push_back(value);
  }
  return values;
}

Result<UrlParts> parse_url(const std::string& url) {
  const CurlApi& curl = *MSB_TRY(curl_api());
  CURLU* handle = curl.url();
  if (handle == nullptr) return err(ErrorKind::kInternal, "curl_url failed");
  MSB_DEFER { curl.url_cleanup(handle); };
  if (curl.url_set(handle, CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
    return err(ErrorKind::kInvalidArgument, "bad URL \"{}\"", url);
  UrlParts parts;
  for (auto [part, out] :
       {std::pair{CURLUPART_SCHEME, &parts.scheme}, std::pair{CURLUPART_HOST, &parts.host},
        std::pair{CURLUPART_PORT, &parts.port}}) {
    char* value = nullptr;
    if (curl.url_get(handle, part, &value, CURLU_DEFAULT_PORT) != CURLUE_OK)
      return err(ErrorKind::kInvalidArgument, "bad URL \"{}\"", url);
    *out = value;
    curl.free(value);
  }
  return parts;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<std::unique_ptr<HttpClient>> HttpClient::create(HttpOptions options) {
  const CurlApi* curl = MSB_TRY(curl_api());
  return std::unique_ptr<HttpClient>(new HttpClient(curl, std::move(options)));
}

HttpClient::~HttpClient() {
  for (void* handle : idle_handles_) curl_->easy_cleanup(static_cast<CURL*>(handle));
}

void* HttpClient::take_handle() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_handles_.empty()) {
      void* handle = idle_handles_.back();
      idle_handles_.pop_back();
      return handle;
    }
  }
  return curl_->easy_init();
}

void HttpClient::return_handle(void* handle) {
  std::lock_guard lock(mutex_);
  idle_handles_.push_back(handle);
}

Result<HttpResponse> HttpClient::get(const HttpRequest& request) {
  CURL* handle = static_cast<CURL*>(take_handle());
  if (handle == nullptr) return err(ErrorKind::kInternal, "curl_easy_init failed");
  MSB_DEFER { return_handle(handle); };
  curl_->easy_reset(handle);
  curl_slist* raw_headers = nullptr;
  for (const std::string& header : request.headers)
    raw_headers = curl_->slist_append(raw_headers, header.c_str());
  std::unique_ptr<curl_slist, SlistDeleter> headers(raw_headers, SlistDeleter{curl_});
  HttpResponse response;
  Transfer transfer{curl_, handle, &request, &response};
  char error_buffer[CURL_ERROR_SIZE] = {};
  std::string range = request.range_start ? std::to_string(*request.range_start) + "-" : "";
  // SECURITY: plain HTTP (for the first request, token realms and redirects) only when the
  // user marked the registry insecure.
  const char* protocols = options_.allow_plain_http ? "http,https" : "https";
  curl_->easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  curl_->easy_setopt(handle, CURLOPT_PROTOCOLS_STR, protocols);
  curl_->easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
  curl_->easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_->easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_->easy_setopt(handle, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_->easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
  curl_->easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_->easy_setopt(handle, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(options_.stall_timeout.count()));
  curl_->easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer);
  curl_->easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
  curl_->easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
  curl_->easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
  // Blobs arrive in 256 KiB reads rather than 16 KiB ones: a sixteenth of the recv, poll,
  // write and progress calls per blob.
  curl_->easy_setopt(handle, CURLOPT_BUFFERSIZE, kReceiveBufferBytes);
  curl_->easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  if (!range.empty()) curl_->easy_setopt(handle, CURLOPT_RANGE, range.c_str());
  CURLcode code = curl_->easy_perform(handle);
  curl_->easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
  if (code != CURLE_OK) {
    response.curl_code = code;
    response.transport_error = error_buffer[0] != '\0' ? error_buffer : curl_->easy_strerror(code);
    return response;
  }
  char* location = nullptr;
  if (curl_->easy_getinfo(handle, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location)
    response.redirect_url = location;
  return response;
}

}  // namespace msb::image
