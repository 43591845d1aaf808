#include "util/duration.hpp"

#include <cstdint>
#include <limits>
#include <utility>

namespace migsafe::util {

namespace {

// A non-negative decimal number: `digits` / 10^`scale`.
struct Decimal {
  std::int64_t digits = 0;
  int scale = 0;
};

constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

// More digits than this could overflow int64 before the unit is even applied.
constexpr int kMaxDigits = 18;

bool is_space(char c) {
  return c == ' ' || c == '\t';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Appends the digits at the front of `text` to `number`, consuming them; returns how many, or
// -1 when the number would have more than kMaxDigits digits.
int take_digits(std::string_view& text, Decimal& number, int digits_so_far) {
  int count = 0;
  for (; !text.empty() && is_digit(text.front()); text.remove_prefix(1), ++count) {
    if (digits_so_far + count == kMaxDigits) return -1;
    number.digits = number.digits * 10 + (text.front() - '0');
  }
  return count;
}

// Consumes "<digits>[.<digits>]" from the front of `text`.
std::optional<Decimal> take_decimal(std::string_view& text) {
  Decimal number;
  int whole = take_digits(text, number, 0);
  if (whole <= 0) return std::nullopt;
  if (!text.empty() && text.front() == '.') {
    text.remove_prefix(1);
    number.scale = take_digits(text, number, whole);
    if (number.scale <= 0) return std::nullopt;
  }
  return number;
}

// Milliseconds per `unit`, or nullopt for an unknown unit.
std::optional<std::int64_t> unit_millis(std::string_view unit) {
  static const std::pair<std::string_view, std::int64_t> kUnits[] = {
      {"ms", 1},           {"s", kSecond},       {"sec", kSecond},     {"secs", kSecond},
      {"second", kSecond}, {"seconds", kSecond}, {"m", kMinute},       {"min", kMinute},
      {"mins", kMinute},   {"minute", kMinute},  {"minutes", kMinute}, {"h", kHour},
      {"hour", kHour},     {"hours", kHour},     {"d", kDay},          {"day", kDay},
      {"days", kDay},
  };
  for (const auto& [name, millis] : kUnits) {
    if (name == unit) return millis;
  }
  return std::nullopt;
}

// `number` × `unit` milliseconds, if that is a whole number that fits.
std::optional<std::int64_t> scale(Decimal number, std::int64_t unit) {
  if (number.digits > std::numeric_limits<std::int64_t>::max() / unit) return std::nullopt;
  std::int64_t product = number.digits * unit;
  std::int64_t divisor = 1;
  for (int i = 0; i < number.scale; ++i) divisor *= 10;
  if (product % divisor != 0) return std::nullopt;
  return product / divisor;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  text = trim(text);
  std::optional<Decimal> number = take_decimal(text);
  if (!number) return std::nullopt;
  std::string_view unit = trim(text);
  if (unit.empty()) {
    if (number->digits != 0) return std::nullopt;
    return std::chrono::milliseconds(0);
  }
  std::optional<std::int64_t> millis = unit_millis(unit);
  if (!millis) return std::nullopt;
  std::optional<std::int64_t> total = scale(*number, *millis);
  if (!total) return std::nullopt;
  return std::chrono::milliseconds(*total);
}

std::string format_duration(std::chrono::milliseconds duration) {
  static const std::pair<std::int64_t, const char*> kUnits[] = {
      {kDay, "d"}, {kHour, "h"}, {kMinute, "min"}, {kSecond, "s"}};
  std::int64_t millis = duration.count();
  if (millis == 0) return "0";
  for (const auto& [size, name] : kUnits) {
    if (millis % size == 0) return std::to_string(millis / size) + name;
  }
  return std::to_string(millis) + "ms";
}

}  // namespace migsafe::util
