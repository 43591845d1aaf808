// libFuzzer target: the TAP parser fed arbitrary result text.
#include <cstdint>
#include <string_view>

#include "checks/tap_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  migsafe::checks::TapParser parser;
  parser.add_text(std::string_view(reinterpret_cast<const char*>(data), size));
  auto summary = parser.finish();
  if (summary.passed < 0 || summary.failed < 0 || summary.run < 0) __builtin_trap();
  return 0;
}
