// Small string helpers shared across the tree.
#pragma once

#include <string>
#include <vector>

namespace migsafe::util {

// The items with `separator` between them ("a, b, c").
inline std::string join(const std::vector<std::string>& items, const std::string& separator = ", ") {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? separator : "") + items[i];
  return out;
}

}  // namespace migsafe::util
