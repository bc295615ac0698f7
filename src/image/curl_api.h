// libcurl, loaded when the first registry request is made rather than when the program
// starts (os/shared_library.h says why). The registry client calls libcurl only through
// this table; its signatures come from <curl/curl.h>, so they cannot drift from it.
#pragma once

#include <curl/curl.h>

#include "common/error.h"

namespace msb::image {

struct CurlApi {
  decltype(&curl_easy_init) easy_init;
  decltype(&curl_easy_cleanup) easy_cleanup;
  decltype(&curl_easy_reset) easy_reset;
  decltype(&curl_easy_setopt) easy_setopt;
  decltype(&curl_easy_perform) easy_perform;
  decltype(&curl_easy_getinfo) easy_getinfo;
  decltype(&curl_easy_strerror) easy_strerror;
  decltype(&curl_slist_append) slist_append;
  decltype(&curl_slist_free_all) slist_free_all;
  decltype(&curl_url) url;
  decltype(&curl_url_cleanup) url_cleanup;
  decltype(&curl_url_set) url_set;
  decltype(&curl_url_get) url_get;
  decltype(&curl_free) free;
};

// libcurl (libcurl.so.4), loaded and initialized (curl_global_init) on the first call; the
// same table, or the same error, afterwards. Errors: kUnsupported when libcurl is missing or
// lacks a function (install libcurl4), kInternal when curl_global_init fails. Thread-safe.
Result<const CurlApi*> curl_api();

}  // namespace msb::image
