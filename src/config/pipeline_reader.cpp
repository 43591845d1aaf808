#include "config/pipeline_reader.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <limits>
#include <set>

#include "core/error.hpp"
#include "util/duration.hpp"

namespace migsafe::config::detail {

namespace fs = std::filesystem;

namespace {

// How a value of `node`'s type is described in "must be X, not Y".
std::string_view type_name(const toml::node& node) {
  using toml::node_type;
  static const std::pair<node_type, std::string_view> kNames[] = {
      {node_type::table, "a table"},
      {node_type::array, "an array"},
      {node_type::string, "a string"},
      {node_type::integer, "an integer"},
      {node_type::floating_point, "a float"},
      {node_type::boolean, "a boolean"},
      {node_type::date, "a date"},
      {node_type::time, "a time"},
      {node_type::date_time, "a date-time"}};
  for (const auto& [type, name] : kNames) {
    if (type == node.type()) return name;
  }
  return "nothing";
}

// " (did you mean 'x'?)" or empty; `quote` is the quote character to use.
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates,
                         char quote) {
  std::string match = closest_match(word, candidates);
  if (match.empty()) return "";
  return " (did you mean " + std::string(1, quote) + match + std::string(1, quote) + "?)";
}

std::string number_range(std::string_view min, std::string_view max, bool unbounded) {
  if (unbounded) return "at least " + std::string(min);
  return "between " + std::string(min) + " and " + std::string(max);
}

bool is_identifier_start(unsigned char c) {
  return std::isalpha(c) || c == '_' || c >= 0x80;
}
bool is_identifier_part(unsigned char c) {
  return is_identifier_start(c) || std::isdigit(c) || c == '$';
}

}  // namespace

bool is_identifier(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  if (!is_identifier_start(static_cast<unsigned char>(name.front()))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_identifier_part(static_cast<unsigned char>(c)); });
}

TableReader::TableReader(Diagnostics& diagnostics, const toml::table& table, std::string path,
                         SourcePos pos, const fs::path& base_dir)
    : diagnostics_(diagnostics),
      table_(table),
      path_(std::move(path)),
      pos_(pos),
      base_dir_(base_dir) {}

void TableReader::allow_only(std::initializer_list<std::string_view> allowed) const {
  std::vector<std::string_view> names(allowed);
  for (const auto& [key, value] : table_) {
    if (std::find(names.begin(), names.end(), key.str()) != names.end()) continue;
    diagnostics_.error(pos_of(key.source()), "unknown key '" + key_path(key.str()) + "'" +
                                                 did_you_mean(key.str(), names, '\''));
  }
}

std::vector<std::string> TableReader::keys() const {
  std::vector<std::string> keys;
  for (const auto& [key, value] : table_) keys.emplace_back(key.str());
  return keys;
}

std::string TableReader::key_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

std::string TableReader::element_path(std::string_view key, size_t index) const {
  return key_path(key) + "[" + std::to_string(index) + "]";
}

void TableReader::error(std::string_view key, std::string message) const {
  const toml::node* node = find(key);
  diagnostics_.error(node ? pos_of(node->source()) : pos_, std::move(message));
}

void TableReader::table_error(std::string message) const {
  diagnostics_.error(pos_, std::move(message));
}

bool TableReader::require(std::string_view key) const {
  if (find(key)) return true;
  table_error("missing required key '" + key_path(key) + "'");
  return false;
}

void TableReader::type_error(const toml::node& node, const std::string& what,
                             std::string_view expected) const {
  diagnostics_.error(pos_of(node.source()), "'" + what + "' must be " + std::string(expected) +
                                                ", not " + std::string(type_name(node)));
}

template <class T>
const toml::value<T>* TableReader::typed(std::string_view key, std::string_view expected) const {
  const toml::node* node = find(key);
  if (!node) return nullptr;
  if (const auto* value = node->as<T>()) return value;
  type_error(*node, key_path(key), expected);
  return nullptr;
}

std::optional<std::string> TableReader::string(std::string_view key) const {
  const auto* value = typed<std::string>(key, "a string");
  if (!value) return std::nullopt;
  if (value->get().empty()) {
    error(key, "'" + key_path(key) + "' must not be empty");
    return std::nullopt;
  }
  return value->get();
}

std::string TableReader::required_string(std::string_view key) const {
  if (!require(key)) return "";
  return string(key).value_or("");
}

std::optional<bool> TableReader::boolean(std::string_view key) const {
  const auto* value = typed<bool>(key, "true or false");
  if (!value) return std::nullopt;
  return value->get();
}

std::optional<std::int64_t> TableReader::integer(std::string_view key, std::int64_t min,
                                                 std::int64_t max) const {
  const auto* value = typed<std::int64_t>(key, "an integer");
  if (!value) return std::nullopt;
  std::int64_t number = value->get();
  if (number >= min && number <= max) return number;
  bool unbounded = max >= INT_MAX;  // a bound of the type, not of the setting
  error(key, "'" + key_path(key) + "' must be " +
                 number_range(std::to_string(min), std::to_string(max), unbounded) + ", not " +
                 std::to_string(number));
  return std::nullopt;
}

std::optional<double> TableReader::number(std::string_view key, double min, double max) const {
  const toml::node* node = find(key);
  if (!node) return std::nullopt;
  if (!node->is_integer() && !node->is_floating_point()) {
    type_error(*node, key_path(key), "a number");
    return std::nullopt;
  }
  double number = node->value<double>().value_or(0);
  if (number >= min && number <= max) return number;
  error(key, "'" + key_path(key) + "' must be " +
                 number_range(number_text(min), number_text(max), false) + ", not " +
                 number_text(number));
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> TableReader::duration(
    std::string_view key, std::chrono::milliseconds max) const {
  const auto* value = typed<std::string>(key, "a duration such as \"5s\"");
  if (!value) return std::nullopt;
  std::optional<std::chrono::milliseconds> parsed = util::parse_duration(value->get());
  if (!parsed) {
    error(key, "'" + key_path(key) + "' is not a duration: " + in_quotes(value->get()) +
                   " (write a number and a unit: ms, s, min, h or d)");
  } else if (*parsed > max) {
    error(key, "'" + key_path(key) + "' must be at most " + util::format_duration(max) + ", not " +
                   in_quotes(value->get()));
    parsed.reset();
  }
  return parsed;
}

std::optional<std::string> TableReader::element_string(const toml::node& element,
                                                       const std::string& what) const {
  const auto* text = element.as_string();
  if (!text) {
    type_error(element, what, "a string");
  } else if (text->get().empty()) {
    diagnostics_.error(pos_of(element.source()), "'" + what + "' must not be empty");
  } else {
    return text->get();
  }
  return std::nullopt;
}

std::optional<std::vector<std::string>> TableReader::strings(std::string_view key) const {
  const toml::node* node = find(key);
  if (!node) return std::nullopt;
  const toml::array* array = node->as_array();
  if (!array) {
    type_error(*node, key_path(key), "an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> values;
  bool ok = true;
  for (size_t i = 0; i < array->size(); ++i) {
    std::optional<std::string> value = element_string(*array->get(i), element_path(key, i));
    if (value) values.push_back(std::move(*value));
    ok = ok && value;
  }
  if (!ok) return std::nullopt;
  return values;
}

std::optional<std::string> TableReader::identifier(std::string_view key) const {
  std::optional<std::string> name = string(key);
  if (!name || is_identifier(*name)) return name;
  error(key, "'" + key_path(key) + "' is not a plain SQL identifier: " + in_quotes(*name));
  return std::nullopt;
}

std::optional<std::vector<std::string>> TableReader::schemas(std::string_view key) const {
  std::optional<std::vector<std::string>> names = strings(key);
  if (!names) return std::nullopt;
  if (names->empty()) error(key, "'" + key_path(key) + "' must name at least one schema");
  const toml::array& array = *find(key)->as_array();
  std::set<std::string> seen;
  bool ok = !names->empty();
  for (size_t i = 0; i < names->size(); ++i) {
    const std::string& name = (*names)[i];
    std::string problem = !is_identifier(name) ? "is not a plain SQL identifier: " : "repeats ";
    if (is_identifier(name) && seen.insert(name).second) continue;
    diagnostics_.error(pos_of(array.get(i)->source()),
                       "'" + element_path(key, i) + "' " + problem + in_quotes(name));
    ok = false;
  }
  if (!ok) return std::nullopt;
  return names;
}

std::optional<fs::path> TableReader::path(std::string_view key) const {
  std::optional<std::string> text = string(key);
  if (!text) return std::nullopt;
  return resolve(*text);
}

void TableReader::choice_error(std::string_view key, const std::string& text,
                               const std::vector<std::string_view>& names) const {
  std::string list;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) list += i + 1 == names.size() ? " or " : ", ";
    list += in_quotes(names[i]);
  }
  error(key, "'" + key_path(key) + "' must be " + list + ", not " + in_quotes(text) +
                 did_you_mean(text, names, '"'));
}

TableReader TableReader::section(std::string_view key) const {
  static const toml::table kEmpty;
  const toml::node* node = find(key);
  if (node && node->is_table()) {
    return TableReader(diagnostics_, *node->as_table(), key_path(key), pos_of(node->source()),
                       base_dir_);
  }
  if (node) type_error(*node, key_path(key), "a table");
  return TableReader(diagnostics_, kEmpty, key_path(key), pos_, base_dir_);
}

std::vector<TableReader> TableReader::tables(std::string_view key) const {
  const toml::node* node = find(key);
  if (!node) return {};
  const toml::array* array = node->as_array();
  if (!array) {
    type_error(*node, key_path(key), "an array of tables ([[" + key_path(key) + "]])");
    return {};
  }
  std::vector<TableReader> readers;
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    std::string what = element_path(key, i);
    if (const toml::table* table = element.as_table()) {
      readers.emplace_back(diagnostics_, *table, what, pos_of(element.source()), base_dir_);
    } else {
      type_error(element, what, "a table");
    }
  }
  return readers;
}

fs::path TableReader::resolve(const fs::path& path) const {
  fs::path resolved = (path.is_absolute() ? path : base_dir_ / path).lexically_normal();
  if (!resolved.has_filename() && resolved.has_relative_path()) resolved = resolved.parent_path();
  return resolved;
}

}  // namespace migsafe::config::detail
