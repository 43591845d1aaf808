#include "util/utf8.hpp"

namespace migsafe::util {
namespace {

// Length of the sequence starting with `lead`, or 0 if `lead` cannot start one.
size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// Whether the second byte is allowed after `lead` (rules out overlongs, surrogates, > U+10FFFF).
bool second_byte_ok(unsigned char lead, unsigned char second) {
  if (lead == 0xE0) return second >= 0xA0 && second <= 0xBF;
  if (lead == 0xED) return second >= 0x80 && second <= 0x9F;
  if (lead == 0xF0) return second >= 0x90 && second <= 0xBF;
  if (lead == 0xF4) return second >= 0x80 && second <= 0x8F;
  return second >= 0x80 && second <= 0xBF;
}

}  // namespace

std::optional<size_t> first_invalid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto lead = static_cast<unsigned char>(text[i]);
    size_t n = sequence_length(lead);
    if (n == 0 || i + n > text.size()) return i;
    if (n > 1 && !second_byte_ok(lead, static_cast<unsigned char>(text[i + 1]))) return i;
    for (size_t k = 2; k < n; ++k) {
      auto c = static_cast<unsigned char>(text[i + k]);
      if (c < 0x80 || c > 0xBF) return i;
    }
    i += n;
  }
  return std::nullopt;
}

}  // namespace migsafe::util
