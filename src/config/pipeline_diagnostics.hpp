// Internal to the pipeline loader: collecting problems with their positions, and the small text
// helpers that messages about them need.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/pipeline.hpp"

namespace migsafe::config::detail {

// Every problem found in one pipeline file.
class Diagnostics {
 public:
  // `file_label` is the file as the user named it.
  explicit Diagnostics(std::string file_label) : file_label_(std::move(file_label)) {}
  // Records `message` about the text at `pos`.
  void error(SourcePos pos, std::string message);
  // Throws one usage error listing every problem in file order; returns if there is none.
  void throw_if_any() const;

 private:
  std::string file_label_;
  std::vector<std::pair<SourcePos, std::string>> errors_;
};

// "<file_label>:<line>:<column>: <message>".
std::string located(const std::string& file_label, SourcePos pos, const std::string& message);

// The start of `region`; 1:1 when toml++ knows no position.
SourcePos pos_of(const toml::source_region& region);

// The one of `candidates` closest to `word` by edit distance (a swap counts once), or empty
// when none is close enough to be a likely typo.
std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates);

// `text` in double quotes, for messages.
std::string in_quotes(std::string_view text);

// The shortest text that reads back as exactly `value`, laid out as PostgreSQL prints a float8:
// "1.5", "0.1", "100", "1e+15", "1e-05".
std::string number_text(double value);

}  // namespace migsafe::config::detail
