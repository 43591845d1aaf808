// UTF-8 validation, repair and cutting. One decoder serves all three, so "valid", "replaced" and
// "one character" mean the same thing everywhere.
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

// The length of the well-formed sequence at `i`, or the negated length of the maximal ill-formed
// subpart there (at least 1 byte), which a replacement covers.
long sequence_at(std::string_view text, size_t i) {
  auto lead = static_cast<unsigned char>(text[i]);
  size_t n = sequence_length(lead);
  if (n == 0) return -1;
  for (size_t k = 1; k < n; ++k) {
    if (i + k >= text.size()) return -static_cast<long>(k);
    auto c = static_cast<unsigned char>(text[i + k]);
    bool ok = k == 1 ? second_byte_ok(lead, c) : (c >= 0x80 && c <= 0xBF);
    if (!ok) return -static_cast<long>(k);
  }
  return static_cast<long>(n);
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

std::optional<size_t> first_invalid_utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    long n = sequence_at(text, i);
    if (n < 0) return i;
    i += static_cast<size_t>(n);
  }
  return std::nullopt;
}

std::string to_valid_utf8(std::string_view text, size_t* replaced) {
  size_t count = 0;
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    long n = sequence_at(text, i);
    if (n > 0) {
      out.append(text.substr(i, static_cast<size_t>(n)));
      i += static_cast<size_t>(n);
    } else {
      out.append(kReplacement);
      ++count;
      i += static_cast<size_t>(-n);
    }
  }
  if (replaced) *replaced = count;
  return out;
}

std::string truncate_chars(std::string_view text, size_t max_chars) {
  size_t i = 0;
  for (size_t chars = 0; i < text.size() && chars < max_chars; ++chars) {
    long n = sequence_at(text, i);
    i += static_cast<size_t>(n > 0 ? n : 1);
  }
  return std::string(text.substr(0, i));
}

size_t count_chars(std::string_view text) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++chars) {
    long n = sequence_at(text, i);
    i += static_cast<size_t>(n > 0 ? n : 1);
  }
  return chars;
}

std::string last_chars(std::string_view text, size_t max_chars) {
  const size_t chars = count_chars(text);
  if (chars <= max_chars) return std::string(text);
  return std::string(text.substr(truncate_chars(text, chars - max_chars).size()));
}

std::string_view truncate_bytes(std::string_view text, size_t max_bytes) {
  size_t i = 0;
  while (i < text.size()) {
    long n = sequence_at(text, i);
    size_t step = static_cast<size_t>(n > 0 ? n : 1);
    if (i + step > max_bytes) break;
    i += step;
  }
  return text.substr(0, i);
}

}  // namespace migsafe::util
