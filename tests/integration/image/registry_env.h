// Helpers for the registry client tests, which share one TestRegistry (shared_registry.h).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "image/reference.h"
#include "image/registry_client.h"
#include "shared_registry.h"

namespace msb::image {

using testing::shared_registry;

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
