// Internal to the pipeline loader: typed, positioned access to the TOML tables of one pipeline
// file. Getters check type and range and record every problem as "<file>:<line>:<column>: cause";
// the loader throws them all at once at the end, so a user sees every mistake in one run.
#pragma once

#include <toml++/toml.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/pipeline.hpp"
#include "config/pipeline_diagnostics.hpp"

namespace migsafe::config::detail {

// Whether `name` is a plain SQL identifier: a letter or '_' then letters, digits, '_' or '$',
// at most 63 bytes (bytes >= 0x80 count as letters, as in PostgreSQL).
bool is_identifier(std::string_view name);

// Sets `field` to `value` if there is one; keeps the default otherwise.
template <class T, class U>
void set_if(T& field, std::optional<U> value) {
  if (value) field = std::move(*value);
}

// One TOML table and its dotted name ("database", "verify.assert[0]"). Every getter returns
// nullopt both when the key is absent and when its value is wrong (after recording the problem).
class TableReader {
 public:
  // Reads `table`, named `path`, at `pos`; relative paths resolve against `base_dir`.
  TableReader(Diagnostics& diagnostics, const toml::table& table, std::string path, SourcePos pos,
              const std::filesystem::path& base_dir);

  // Records an error for every key not in `allowed`, suggesting the closest allowed key.
  void allow_only(std::initializer_list<std::string_view> allowed) const;
  // Where the table is.
  SourcePos pos() const { return pos_; }
  // The table's dotted name.
  const std::string& name() const { return path_; }
  // The dotted name of `key` in this table, for messages.
  std::string key_path(std::string_view key) const;
  // The name of element `index` of the array `key`: "database.schemas[1]".
  std::string element_path(std::string_view key, size_t index) const;
  // The keys of the table, sorted.
  std::vector<std::string> keys() const;
  // The value of `key`, or null.
  const toml::node* find(std::string_view key) const { return table_.get(key); }
  // Records `message` at the value of `key` (at the table if it is absent).
  void error(std::string_view key, std::string message) const;
  // Records `message` at the table.
  void table_error(std::string message) const;
  // Records "missing required key" for `key` if it is absent; returns whether it is present.
  bool require(std::string_view key) const;
  // Records that `node`, the value of `what`, is not `expected` (e.g. "a string").
  void type_error(const toml::node& node, const std::string& what, std::string_view expected) const;

  // A non-empty string.
  std::optional<std::string> string(std::string_view key) const;
  // A non-empty string; records an error if absent.
  std::string required_string(std::string_view key) const;
  // true or false.
  std::optional<bool> boolean(std::string_view key) const;
  // An integer in [`min`, `max`].
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min,
                                      std::int64_t max) const;
  // An integer or float in [`min`, `max`].
  std::optional<double> number(std::string_view key, double min, double max) const;
  // A duration string such as "5s" (util/duration), at most `max`.
  std::optional<std::chrono::milliseconds> duration(std::string_view key,
                                                    std::chrono::milliseconds max) const;
  // An array of non-empty strings.
  std::optional<std::vector<std::string>> strings(std::string_view key) const;
  // A plain SQL identifier (is_identifier).
  std::optional<std::string> identifier(std::string_view key) const;
  // A non-empty array of distinct schema names, each a plain SQL identifier.
  std::optional<std::vector<std::string>> schemas(std::string_view key) const;
  // A non-empty string naming a path; relative to the pipeline's directory, made absolute.
  std::optional<std::filesystem::path> path(std::string_view key) const;
  // One of the `choices`' names; records an error naming them all otherwise.
  template <class E>
  std::optional<E> choice(std::string_view key,
                          std::initializer_list<std::pair<std::string_view, E>> choices) const;
  // The sub-table `key`; an empty one (positioned here) when absent or not a table.
  TableReader section(std::string_view key) const;
  // The tables of an array of tables (`[[key]]`) or of inline tables (`key = [{...}]`).
  std::vector<TableReader> tables(std::string_view key) const;

  // Makes `path` absolute against the pipeline's directory and lexically normal.
  std::filesystem::path resolve(const std::filesystem::path& path) const;

 private:
  // The value of `key` as a `T`, or null (recording a type error if it is something else).
  template <class T>
  const toml::value<T>* typed(std::string_view key, std::string_view expected) const;
  // `element` of an array named `what` as a non-empty string, or nullopt after recording why not.
  std::optional<std::string> element_string(const toml::node& element,
                                            const std::string& what) const;
  // Records that `key`'s value `text` is none of `names`.
  void choice_error(std::string_view key, const std::string& text,
                    const std::vector<std::string_view>& names) const;

  Diagnostics& diagnostics_;
  const toml::table& table_;
  std::string path_;
  SourcePos pos_;
  std::filesystem::path base_dir_;
};

template <class E>
std::optional<E> TableReader::choice(
    std::string_view key, std::initializer_list<std::pair<std::string_view, E>> choices) const {
  std::optional<std::string> text = string(key);
  if (!text) return std::nullopt;
  std::vector<std::string_view> names;
  for (const auto& [name, value] : choices) {
    if (name == *text) return value;
    names.push_back(name);
  }
  choice_error(key, *text, names);
  return std::nullopt;
}

}  // namespace migsafe::config::detail
