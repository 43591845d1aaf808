#include "config/pipeline_diagnostics.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <limits>
#include <locale>
#include <sstream>

#include "core/error.hpp"

namespace migsafe::config::detail {

namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Edit distance where insert, delete, replace and swapping two neighbours each cost one.
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// `value` with `precision` significant digits, "%g"-style, in the C locale.
std::string format_number(double value, int precision) {
  std::ostringstream out;
  out.imbue(std::locale::classic());
  out << std::setprecision(precision) << value;
  return out.str();
}

}  // namespace

void Diagnostics::error(SourcePos pos, std::string message) {
  errors_.emplace_back(pos, std::move(message));
}

void Diagnostics::throw_if_any() const {
  if (errors_.empty()) return;
  auto sorted = errors_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return std::make_pair(a.first.line, a.first.column) <
           std::make_pair(b.first.line, b.first.column);
  });
  std::string text;
  for (const auto& [pos, message] : sorted) {
    if (!text.empty()) text += '\n';
    text += located(file_label_, pos, message);
  }
  throw usage_error(text);
}

std::string located(const std::string& file_label, SourcePos pos, const std::string& message) {
  return file_label + ':' + std::to_string(pos.line) + ':' + std::to_string(pos.column) + ": " +
         message;
}

SourcePos pos_of(const toml::source_region& region) {
  if (!region.begin) return SourcePos{1, 1};
  return SourcePos{static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates) {
  const std::string lowered = lowercase(word);
  const size_t limit = lowered.size() >= 4 ? 2 : 1;
  std::string best;
  size_t best_distance = limit + 1;
  for (std::string_view candidate : candidates) {
    size_t distance = edit_distance(lowered, lowercase(candidate));
    if (distance < best_distance) {
      best = std::string(candidate);
      best_distance = distance;
    }
  }
  return best;
}

std::string in_quotes(std::string_view text) {
  return '"' + std::string(text) + '"';
}

std::string number_text(double value) {
  int precision = 1;
  for (; precision < std::numeric_limits<double>::max_digits10; ++precision) {
    if (std::strtod(format_number(value, precision).c_str(), nullptr) == value) break;
  }
  // Like PostgreSQL's float8 output: all digits up to 1e15, an exponent beyond.
  int exponent = value == 0 ? 0 : static_cast<int>(std::floor(std::log10(std::fabs(value))));
  if (exponent >= precision && exponent < 15) precision = exponent + 1;
  return format_number(value, precision);
}

}  // namespace migsafe::config::detail
