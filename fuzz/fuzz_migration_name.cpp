// libFuzzer target: the migration file-name parser and version ordering.
#include <cstdint>
#include <string>

#include "config/migration_files.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string name(reinterpret_cast<const char*>(data), size);
  auto parsed = migsafe::config::parse_migration_name(name);
  if (parsed) {
    if (migsafe::config::version_less(parsed->version, parsed->version)) __builtin_trap();
    migsafe::config::same_version(parsed->version, name);
  }
  return 0;
}
