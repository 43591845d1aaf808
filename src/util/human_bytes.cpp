#include "util/human_bytes.hpp"

#include <cstdio>

namespace migsafe::util {

std::string human_bytes(uint64_t bytes) {
  char buffer[32];
  if (bytes >= (1ull << 30))
    std::snprintf(buffer, sizeof buffer, "%.1f GiB", double(bytes) / (1ull << 30));
  else if (bytes >= (1ull << 20))
    std::snprintf(buffer, sizeof buffer, "%.1f MiB", double(bytes) / (1ull << 20));
  else
    std::snprintf(buffer, sizeof buffer, "%.1f KiB", double(bytes) / 1024);
  return buffer;
}

}  // namespace migsafe::util
