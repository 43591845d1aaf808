// psql's variables and printing, as pg_prove starts psql: `--no-psqlrc --no-align --quiet --pset
// pager=off --pset tuples_only=true --set ON_ERROR_STOP=1` (TAP::Parser::SourceHandler::pgTAP).
// Aligned output is drawn as psql draws it with border 0 and 1; the other formats are reduced to
// what matters here, whether a line starts a TAP test or plan.
#include "checks/psql_state.hpp"

#include <algorithm>

namespace migsafe::checks {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return s;
}

// Whether `value` is a non-empty prefix of `word` (psql accepts unique prefixes).
bool prefix_of(const std::string& value, const std::string& word) {
  return !value.empty() && word.compare(0, value.size(), value) == 0;
}

// The full name `value` abbreviates among `words`, or "" when none or several.
std::string expand(const std::string& value, const std::vector<std::string>& words) {
  std::string found;
  for (const auto& w : words) {
    if (value == w) return w;
    if (prefix_of(value, w)) {
      if (!found.empty()) return "";
      found = w;
    }
  }
  return found;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t nl = text.find('\n', start);
    out.push_back(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) return out;
    start = nl + 1;
  }
}

// Display width of `text`: one per character (wide characters are not measured).
size_t width(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string footer(size_t rows) {
  return "(" + std::to_string(rows) + (rows == 1 ? " row)" : " rows)");
}

std::string cell(const std::optional<std::string>& value, const PsqlPrint& p) {
  return value ? *value : p.null_display;
}

std::string unaligned(const pg::Rows& rows, const PsqlPrint& p, bool expanded) {
  std::string out;
  if (expanded) {
    for (size_t r = 0; r < rows.rows.size(); ++r) {
      if (r > 0) out += "\n";
      for (size_t c = 0; c < rows.columns.size(); ++c) {
        out += rows.columns[c] + p.fieldsep + cell(rows.rows[r][c], p) + "\n";
      }
    }
    return out;
  }
  std::vector<std::string> records;
  if (!p.tuples_only) {
    std::string header;
    for (size_t c = 0; c < rows.columns.size(); ++c) header += (c ? p.fieldsep : "") + rows.columns[c];
    records.push_back(header);
  }
  for (const auto& row : rows.rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) line += (c ? p.fieldsep : "") + cell(row[c], p);
    records.push_back(line);
  }
  if (!p.tuples_only && p.footer) records.push_back(footer(rows.rows.size()));
  for (size_t i = 0; i < records.size(); ++i) out += (i ? p.recordsep : "") + records[i];
  return records.empty() ? out : out + "\n";
}

// psql's aligned table: with border 1 every line starts with a space (so none is TAP), with
// border 0 a line starts with the first column's text.
std::string aligned(const pg::Rows& rows, const PsqlPrint& p) {
  const size_t n = rows.columns.size();
  std::vector<size_t> widths(n, 0);
  for (size_t c = 0; c < n; ++c) widths[c] = p.tuples_only ? 0 : width(rows.columns[c]);
  for (const auto& row : rows.rows) {
    for (size_t c = 0; c < n; ++c) {
      for (const auto& l : lines_of(cell(row[c], p))) widths[c] = std::max(widths[c], width(l));
    }
  }
  const std::string lead = p.border >= 1 ? " " : "";
  const std::string sep = p.border >= 1 ? " | " : " ";
  std::string out;
  auto emit_row = [&](const std::vector<std::string>& cells) {
    std::vector<std::vector<std::string>> parts;
    size_t height = 1;
    for (const auto& c : cells) {
      parts.push_back(lines_of(c));
      height = std::max(height, parts.back().size());
    }
    for (size_t h = 0; h < height; ++h) {
      std::string line = lead;
      for (size_t c = 0; c < n; ++c) {
        std::string text = h < parts[c].size() ? parts[c][h] : "";
        bool more = h + 1 < parts[c].size();
        line += (c ? sep : "") + text;
        if (c + 1 < n || more || p.border >= 2) line += std::string(widths[c] - width(text), ' ');
        if (more) line += "+";
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  };
  if (!p.tuples_only) {
    emit_row(rows.columns);
    std::string rule;
    for (size_t c = 0; c < n; ++c) rule += (c ? (p.border >= 1 ? "-+-" : " ") : "") + std::string(widths[c], '-');
    out += (p.border >= 1 ? "-" : "") + rule + (p.border >= 1 ? "-" : "") + "\n";
  }
  for (const auto& row : rows.rows) {
    std::vector<std::string> cells;
    for (const auto& v : row) cells.push_back(cell(v, p));
    emit_row(cells);
  }
  if (!p.tuples_only && p.footer) out += footer(rows.rows.size()) + "\n\n";
  return out;
}

// Expanded aligned records: "-[ RECORD n ]-" and "column | value" lines.
std::string aligned_expanded(const pg::Rows& rows, const PsqlPrint& p) {
  std::string out;
  for (size_t r = 0; r < rows.rows.size(); ++r) {
    if (!p.tuples_only) out += "-[ RECORD " + std::to_string(r + 1) + " ]-\n";
    for (size_t c = 0; c < rows.columns.size(); ++c) {
      out += rows.columns[c] + " | " + cell(rows.rows[r][c], p) + "\n";
    }
    if (p.tuples_only) out += "\n";
  }
  return out;
}

std::string csv_field(const std::string& value, const std::string& sep) {
  if (value.find_first_of("\"\r\n") == std::string::npos && value.find(sep) == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv(const pg::Rows& rows, const PsqlPrint& p) {
  std::string out;
  auto emit = [&](const std::vector<std::string>& cells) {
    for (size_t c = 0; c < cells.size(); ++c) out += (c ? "," : "") + csv_field(cells[c], ",");
    out += "\n";
  };
  if (!p.tuples_only) emit(rows.columns);
  for (const auto& row : rows.rows) {
    std::vector<std::string> cells;
    for (const auto& v : row) cells.push_back(cell(v, p));
    emit(cells);
  }
  return out;
}

const std::vector<std::string> kFormats = {"aligned", "asciidoc", "csv", "html", "latex", "latex-longtable",
                                           "troff-ms", "unaligned", "wrapped"};
const std::vector<std::string> kPsetOptions = {
    "border", "columns", "csv_fieldsep", "expanded", "fieldsep", "fieldsep_zero", "footer", "format",
    "linestyle", "null", "numericlocale", "pager", "pager_min_lines", "recordsep", "recordsep_zero",
    "tableattr", "title", "tuples_only", "unicode_border_linestyle", "unicode_column_linestyle",
    "unicode_header_linestyle", "xheader_width"};
const std::vector<std::string> kBoolVariables = {"AUTOCOMMIT", "ON_ERROR_STOP", "QUIET", "SINGLELINE",
                                                 "SINGLESTEP", "HIDE_TABLEAM", "HIDE_TOAST_COMPRESSION"};

}  // namespace

std::optional<bool> parse_psql_bool(const std::string& value) {
  const std::string v = lower(value);
  if (v.empty()) return std::nullopt;
  if (prefix_of(v, "true") || prefix_of(v, "yes") || v == "1") return true;
  if (prefix_of(v, "false") || prefix_of(v, "no") || v == "0") return false;
  if (v.size() >= 2 && prefix_of(v, "on")) return true;
  if (v.size() >= 2 && prefix_of(v, "off")) return false;
  return std::nullopt;
}

PsqlVariables connection_variables(pg::Session& session) {
  auto facts = session.query(
      "select pg_catalog.current_database(), session_user, pg_catalog.current_setting('server_version_num'), "
      "pg_catalog.current_setting('server_version'), pg_catalog.current_setting('client_encoding')");
  const pg::Row& row = facts.rows.at(0);
  return {{"DBNAME", row[0].value_or("")},
          {"USER", row[1].value_or("")},
          {"SERVER_VERSION_NUM", row[2].value_or("")},
          {"SERVER_VERSION_NAME", row[3].value_or("")},
          {"ENCODING", row[4].value_or("")},
          {"HOST", session.host()},
          {"PORT", session.port()}};
}

PsqlState::PsqlState(const PsqlVariables& connection)
    : vars_{{"AUTOCOMMIT", "on"},        {"ECHO", "none"},      {"ECHO_HIDDEN", "off"},
            {"FETCH_COUNT", "0"},        {"ON_ERROR_ROLLBACK", "off"}, {"ON_ERROR_STOP", "1"},
            {"QUIET", "on"},             {"SHOW_CONTEXT", "errors"},   {"VERBOSITY", "default"},
            {"ERROR", "false"},          {"SQLSTATE", "00000"},        {"ROW_COUNT", "0"}} {
  for (const auto& [name, value] : connection) vars_[name] = value;
}

bool PsqlState::flag(const std::string& name) const {
  auto it = vars_.find(name);
  return it != vars_.end() && parse_psql_bool(it->second).value_or(false);
}

bool PsqlState::stop_on_error() const { return flag("ON_ERROR_STOP"); }

bool PsqlState::rollback_statement_on_error() const {
  auto it = vars_.find("ON_ERROR_ROLLBACK");
  return it != vars_.end() && parse_psql_bool(it->second).value_or(false);
}

void PsqlState::set(const std::string& name, const std::optional<std::string>& value) {
  if (value) vars_[name] = *value;
  else vars_.erase(name);
}

MetaOutcome PsqlState::set_command(const std::vector<std::string>& args) {
  MetaOutcome out;
  if (args.empty()) {
    for (const auto& [name, value] : vars_) out.output += name + " = '" + value + "'\n";
    return out;
  }
  const std::string& name = args[0];
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80)) {
      out.error = "invalid variable name: \"" + name + "\"";
      return out;
    }
  }
  std::string value;
  for (size_t i = 1; i < args.size(); ++i) value += args[i];
  if (std::find(kBoolVariables.begin(), kBoolVariables.end(), name) != kBoolVariables.end() &&
      !parse_psql_bool(value)) {
    out.error = "unrecognized value \"" + value + "\" for \"" + name + "\": Boolean expected";
    return out;
  }
  vars_[name] = value;
  return out;
}

MetaOutcome PsqlState::pset(const std::string& option_in, const std::optional<std::string>& value) {
  MetaOutcome out;
  const std::string option = expand(option_in, kPsetOptions);
  if (option.empty()) {
    out.error = "\\pset: unknown option: " + option_in;
    return out;
  }
  auto toggle = [&](bool& target) {
    if (!value) {
      target = !target;
      return;
    }
    auto b = parse_psql_bool(*value);
    if (!b) out.error = "unrecognized value \"" + *value + "\" for \"" + option + "\": Boolean expected";
    else target = *b;
  };
  if (option == "format") {
    if (!value) return out;
    const std::string f = expand(lower(*value), kFormats);
    if (f.empty()) out.error = "\\pset: allowed formats are aligned, asciidoc, csv, html, latex, latex-longtable, troff-ms, unaligned, wrapped";
    else print_.format = f;
  } else if (option == "tuples_only") {
    toggle(print_.tuples_only);
  } else if (option == "footer") {
    toggle(print_.footer);
  } else if (option == "expanded") {
    if (!value) print_.expanded = print_.expanded == "off" ? "on" : "off";
    else if (lower(*value) == "auto") print_.expanded = "auto";
    else if (auto b = parse_psql_bool(*value)) print_.expanded = *b ? "on" : "off";
    else out.error = "unrecognized value \"" + *value + "\" for \"expanded\": Boolean expected";
  } else if (option == "fieldsep" && value) {
    print_.fieldsep = *value;
  } else if (option == "fieldsep_zero") {
    print_.fieldsep = std::string(1, '\0');
  } else if (option == "recordsep" && value) {
    print_.recordsep = *value;
  } else if (option == "recordsep_zero") {
    print_.recordsep = std::string(1, '\0');
  } else if (option == "null" && value) {
    print_.null_display = *value;
  } else if (option == "border" && value) {
    print_.border = std::atoi(value->c_str());
  }
  return out;  // pager, title, linestyle, ...: nothing pg_prove would read changes
}

MetaOutcome PsqlState::run(const std::string& command, const std::vector<std::string>& args) {
  MetaOutcome out;
  auto arg = [&](size_t i) { return i < args.size() ? std::optional<std::string>(args[i]) : std::nullopt; };
  if (command == "set") return set_command(args);
  if (command == "unset") {
    if (args.empty()) out.error = "\\unset: missing required argument";
    else vars_.erase(args[0]);
    return out;
  }
  if (command == "echo" || command == "qecho") {
    bool newline = !(args.size() > 0 && args[0] == "-n");
    for (size_t i = newline ? 0 : 1; i < args.size(); ++i) out.output += (i > (newline ? 0u : 1u) ? " " : "") + args[i];
    if (newline) out.output += "\n";
    return out;
  }
  if (command == "pset") {
    if (args.empty()) return out;  // lists the settings, as text no TAP reader would take
    return pset(args[0], arg(1));
  }
  if (command == "t") return pset("tuples_only", arg(0));
  if (command == "x") return pset("expanded", arg(0));
  if (command == "a") {
    print_.format = print_.format == "aligned" ? "unaligned" : "aligned";
    return out;
  }
  out.known = false;
  return out;
}

std::string PsqlState::print(const pg::Rows& rows) const {
  if (rows.columns.empty()) return "";
  const bool expanded = print_.expanded == "on";
  const std::string& f = print_.format;
  if (f == "unaligned") return unaligned(rows, print_, expanded);
  if (f == "csv") {
    PsqlPrint as_csv = print_;
    as_csv.fieldsep = ",";
    return expanded ? unaligned(rows, as_csv, true) : csv(rows, print_);
  }
  if (f == "aligned" || f == "wrapped") return expanded ? aligned_expanded(rows, print_) : aligned(rows, print_);
  return "";  // html, latex, troff-ms, asciidoc: markup, never a TAP line
}

}  // namespace migsafe::checks
