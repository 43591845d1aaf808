// libFuzzer target: the pg_restore --list parser.
#include <cstdint>
#include <string>

#include "backup/toc.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  for (const auto& entry : migsafe::backup::parse_toc(std::string(reinterpret_cast<const char*>(data), size))) {
    if (entry.desc.empty()) __builtin_trap();
  }
  return 0;
}
