// One TestRegistry shared by every case of image_registry_client_test (started once:
// building and pushing the fixtures takes seconds), plus small helpers.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "image/reference.h"
#include "image/registry_client.h"
#include "test_registry.h"

namespace msb::image {

testing::TestRegistry& shared_registry();

inline Reference reference(const std::string& text) {
  Result<Reference> ref = parse_reference(text);
  EXPECT_TRUE(ref.has_value()) << text;
  return ref.value_or(Reference{});
}

inline std::unique_ptr<RegistryClient> client_for(const Reference& ref,
                                                  RegistryOptions options = {}) {
  options.initial_backoff = std::chrono::milliseconds(10);
  Result<std::unique_ptr<RegistryClient>> client = RegistryClient::create(ref, options);
  EXPECT_TRUE(client.has_value());
  return client ? std::move(*client) : nullptr;
}

inline RegistryOptions insecure() { return RegistryOptions{.insecure = true}; }

}  // namespace msb::image
