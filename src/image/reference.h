// Image references ("python:3.12", "ghcr.io/o/r@sha256:...", "127.0.0.1:5000/x:latest"),
// parsed and normalized the way Docker does (docker.io/library/ for bare names).
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace msb::image {

struct Reference {
  std::string registry;    // "docker.io", "127.0.0.1:5000", "ghcr.io"
  std::string repository;  // "library/python"
  std::string tag;         // "latest" when neither tag nor digest given; "" with digest only
  std::string digest;      // "" or "sha256:..."

  // Canonical text: registry/repository[:tag][@digest].
  std::string str() const;
  // The host:port to talk to: docker.io -> registry-1.docker.io, others unchanged.
  std::string api_host() const;
  // What the manifest endpoint is asked for: the digest when given, else the tag.
  std::string manifest_key() const { return digest.empty() ? tag : digest; }
};

// Parses `text`. Errors: kInvalidArgument with the rule that was broken (empty, too long,
// uppercase repository, bad character, bad tag, bad or unsupported digest, bad host or
// port). Thread-safe.
Result<Reference> parse_reference(std::string_view text);

}  // namespace msb::image
