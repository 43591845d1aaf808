// libFuzzer target: the backup manifest reader on arbitrary JSON.
#include <cstdint>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "backup/manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto json = nlohmann::json::parse(data, data + size, nullptr, false);
  if (json.is_discarded()) return 0;
  try {
    auto manifest = migsafe::backup::Manifest::from_json(json, "fuzz.json");
    migsafe::backup::Manifest::from_json(manifest.to_json(), "fuzz.json");  // round trip must hold
  } catch (const std::runtime_error&) {
    // Refusing broken input with a message is the expected outcome.
  }
  return 0;
}
