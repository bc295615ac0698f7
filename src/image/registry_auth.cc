#include "image/registry_auth.h"

#include <cctype>

#include "common/base64.h"
#include "image/json_fields.h"

namespace msb::image {
namespace {

constexpr size_t kMaxTokenReplyBytes = 1 << 20;

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lowercase(std::string_view text) {
  std::string out;
  for (char c : text) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void skip_spaces(std::string_view& text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
}

std::string_view take_token(std::string_view& text) {
  size_t length = 0;
  while (length < text.size() && is_token_char(text[length])) ++length;
  std::string_view token = text.substr(0, length);
  text.remove_prefix(length);
  return token;
}

// A quoted-string with backslash escapes, the opening quote already consumed.
std::optional<std::string> take_quoted(std::string_view& text) {
  std::string value;
  while (!text.empty()) {
    char c = text.front();
    text.remove_prefix(1);
    if (c == '"') return value;
    if (c == '\\') {
      if (text.empty()) return std::nullopt;
      c = text.front();
      text.remove_prefix(1);
    }
    value += c;
  }
  return std::nullopt;
}

Result<std::string> fetch_token(HttpClient& http, const Challenge& challenge,
                                const std::string& host, const std::string& repository,
                                const std::optional<Credentials>& credentials) {
  auto realm = challenge.params.find("realm");
  if (realm == challenge.params.end() || realm->second.empty())
    return err(ErrorKind::kPermissionDenied, "bearer challenge from {} has no realm", host);
  std::string scope = "repository:" + repository + ":pull";
  if (auto given = challenge.params.find("scope"); given != challenge.params.end())
    scope = given->second;
  std::string url = realm->second + (realm->second.find('?') == std::string::npos ? "?" : "&");
  if (auto service = challenge.params.find("service"); service != challenge.params.end())
    url += "service=" + url_encode(service->second) + "&";
  url += "scope=" + url_encode(scope);
  HttpRequest request{.url = url, .body_limit = kMaxTokenReplyBytes};
  if (credentials) {
    request.headers.push_back("Authorization: Basic " +
                              base64_encode(credentials->username + ":" + credentials->password));
  }
  HttpResponse response = MSB_TRY(http.get(request));
  if (!response.transport_error.empty())
    return err(ErrorKind::kIo, "token server {}: {}", realm->second, response.transport_error);
  if (response.status == 401 || response.status == 403) {
    return err(ErrorKind::kPermissionDenied, "authentication failed for {}: {}", host,
               credentials ? "the token server refused the credentials"
                           : "anonymous access refused (add credentials)");
  }
  if (response.status != 200)
    return err(ErrorKind::kIo, "token server {}: HTTP {}", realm->second, response.status);
  Json json = MSB_TRY(parse_json_object(response.body, kMaxTokenReplyBytes, "token reply"));
  std::optional<std::string> token = MSB_TRY(optional_string(json, "token", "token reply"));
  if (!token) token = MSB_TRY(optional_string(json, "access_token", "token reply"));
  if (!token || token->empty() || token->find_first_of("\r\n") != std::string::npos)
    return err(ErrorKind::kIo, "token server {}: reply has no usable token", realm->second);
  return "Bearer " + *token;
}

}  // namespace

Result<Challenge> parse_challenge(std::string_view header) {
  std::string_view text = header;
  skip_spaces(text);
  Challenge challenge;
  challenge.scheme = lowercase(take_token(text));
  if (challenge.scheme.empty())
    return err(ErrorKind::kInvalidArgument, "malformed challenge \"{}\"", header);
  while (true) {
    skip_spaces(text);
    if (text.empty()) return challenge;
    std::string name = lowercase(take_token(text));
    if (name.empty() || text.empty() || text.front() != '=')
      return err(ErrorKind::kInvalidArgument, "malformed challenge \"{}\"", header);
    text.remove_prefix(1);
    std::optional<std::string> value;
    if (!text.empty() && text.front() == '"') {
      text.remove_prefix(1);
      value = take_quoted(text);
    } else {
      value = std::string(take_token(text));
    }
    if (!value) return err(ErrorKind::kInvalidArgument, "malformed challenge \"{}\"", header);
    challenge.params[name] = std::move(*value);
    skip_spaces(text);
    if (!text.empty() && text.front() != ',')
      return err(ErrorKind::kInvalidArgument, "malformed challenge \"{}\"", header);
    if (!text.empty()) text.remove_prefix(1);
  }
}

Result<Challenge> pick_challenge(const std::vector<std::string>& headers, std::string_view host) {
  std::optional<Challenge> basic;
  for (const std::string& header : headers) {
    Result<Challenge> challenge = parse_challenge(header);
    if (!challenge) continue;
    if (challenge->scheme == "bearer") return std::move(*challenge);
    if (challenge->scheme == "basic") basic = std::move(*challenge);
  }
  if (basic) return std::move(*basic);
  return err(ErrorKind::kPermissionDenied,
             "authentication failed for {}: no supported WWW-Authenticate challenge", host);
}

Result<std::string> answer_challenge(HttpClient& http, const Challenge& challenge,
                                     const std::string& host, const std::string& repository,
                                     const std::optional<Credentials>& credentials) {
  if (challenge.scheme == "bearer")
    return fetch_token(http, challenge, host, repository, credentials);
  if (!credentials) {
    return err(ErrorKind::kPermissionDenied,
               "authentication required for {}: no credentials (add them to "
               "$MSB_HOME/config.json or ~/.docker/config.json)",
               host);
  }
  return "Basic " + base64_encode(credentials->username + ":" + credentials->password);
}

}  // namespace msb::image
