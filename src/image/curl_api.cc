#include "image/curl_api.h"

#include "os/shared_library.h"

namespace msb::image {
namespace {

constexpr const char* kSoname = "libcurl.so.4";

Result<CurlApi> load() {
  os::SharedLibrary library = MSB_TRY(os::SharedLibrary::open(kSoname));
  CurlApi api{};
  MSB_TRY(library.resolve("curl_easy_init", api.easy_init));
  MSB_TRY(library.resolve("curl_easy_cleanup", api.easy_cleanup));
  MSB_TRY(library.resolve("curl_easy_reset", api.easy_reset));
  MSB_TRY(library.resolve("curl_easy_setopt", api.easy_setopt));
  MSB_TRY(library.resolve("curl_easy_perform", api.easy_perform));
  MSB_TRY(library.resolve("curl_easy_getinfo", api.easy_getinfo));
  MSB_TRY(library.resolve("curl_easy_strerror", api.easy_strerror));
  MSB_TRY(library.resolve("curl_slist_append", api.slist_append));
  MSB_TRY(library.resolve("curl_slist_free_all", api.slist_free_all));
  MSB_TRY(library.resolve("curl_url", api.url));
  MSB_TRY(library.resolve("curl_url_cleanup", api.url_cleanup));
  MSB_TRY(library.resolve("curl_url_set", api.url_set));
  MSB_TRY(library.resolve("curl_url_get", api.url_get));
  MSB_TRY(library.resolve("curl_free", api.free));
  decltype(&curl_global_init) global_init = nullptr;
  MSB_TRY(library.resolve("curl_global_init", global_init));
  if (global_init(CURL_GLOBAL_ALL) != CURLE_OK)
    return err(ErrorKind::kInternal, "curl_global_init failed");
  // libcurl stays initialized, and so loaded, for the rest of the process: handles may be
  // cleaned up by static destructors after any owner of the library would be gone.
  std::move(library).keep_loaded();
  return api;
}

}  // namespace

Result<const CurlApi*> curl_api() {
  return os::api_or_error(
      os::load_api_once(load, "registry client needs libcurl (install libcurl4)"));
}

}  // namespace msb::image
