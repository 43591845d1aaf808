// psql's lexer (src/bin/psql/psqlscan.l, psqlscanslash.l), as far as test files need it: the same
// statement boundaries as sql::split (BEGIN ATOMIC bodies included), meta-commands anywhere
// outside quotes and comments, variable references as psql substitutes them. A value is not
// lexed again after substitution (psql rescans `:var`; test suites do not rely on it).
#include "checks/psql_script.hpp"

#include <algorithm>
#include <cctype>

#include "sql/splitter.hpp"

namespace migsafe::checks {
namespace {

constexpr size_t npos = std::string_view::npos;

// psql's variable_char: ASCII letters, digits, '_' and any byte of a multi-byte character.
bool is_variable_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' ||
         u >= 0x80;
}

size_t variable_end(std::string_view s, size_t pos) {
  while (pos < s.size() && is_variable_char(s[pos])) ++pos;
  return pos;
}

std::string upper(std::string_view word) {
  std::string out(word);
  for (auto& c : out) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return out;
}

// A variable reference at `colon`: `:name`, `:'name'`, `:"name"` or `:{?name}`.
struct Reference {
  size_t end = 0;           // one past its last byte; 0 when there is none
  std::string name;         // the variable's name
  char quote = 0;           // '\'', '"', '?' for {?name}, or 0
};

Reference reference_at(std::string_view s, size_t colon) {
  const size_t at = colon + 1;
  if (at >= s.size()) return {};
  const char c = s[at];
  if (c == '\'' || c == '"') {
    const size_t name_end = variable_end(s, at + 1);
    if (name_end == at + 1 || name_end >= s.size() || s[name_end] != c) return {};
    return {name_end + 1, std::string(s.substr(at + 1, name_end - at - 1)), c};
  }
  if (c == '{' && at + 1 < s.size() && s[at + 1] == '?') {
    const size_t name_end = variable_end(s, at + 2);
    if (name_end == at + 2 || name_end >= s.size() || s[name_end] != '}') return {};
    return {name_end + 1, std::string(s.substr(at + 2, name_end - at - 2)), '?'};
  }
  const size_t name_end = variable_end(s, at);
  if (name_end == at) return {};
  return {name_end, std::string(s.substr(at, name_end - at)), 0};
}

// What psql puts in place of `ref`, or nullopt when it leaves the reference as written.
std::optional<std::string> substitute(const Reference& ref, const PsqlVariables& vars) {
  auto it = vars.find(ref.name);
  if (ref.quote == '?') return std::string(it == vars.end() ? "FALSE" : "TRUE");
  if (it == vars.end()) return std::nullopt;
  if (ref.quote == '\'') return psql_quote_literal(it->second);
  if (ref.quote == '"') return psql_quote_identifier(it->second);
  return it->second;
}

size_t line_end(std::string_view s, size_t pos) {
  const size_t end = s.find('\n', pos);
  return end == npos ? s.size() : end;
}

// One backslash escape in a '...' meta-command argument, at `s[i]` (after the backslash).
char unescape(std::string_view s, size_t& i) {
  const char c = s[i];
  switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'b': return '\b';
    case 'r': return '\r';
    case 'f': return '\f';
    default: break;
  }
  if (c >= '0' && c <= '7') {
    int value = 0;
    for (int k = 0; k < 3 && i < s.size() && s[i] >= '0' && s[i] <= '7'; ++k) value = value * 8 + (s[i++] - '0');
    --i;
    return static_cast<char>(value);
  }
  return c;
}

// Reads a '...' argument starting at `s[i]` == '\'' into `out`; returns the index after it.
size_t quoted_argument(std::string_view s, size_t i, size_t end, std::string& out) {
  for (++i; i < end; ++i) {
    if (s[i] == '\'') {
      if (i + 1 < end && s[i + 1] == '\'') {
        out += '\'';
        ++i;
        continue;
      }
      return i + 1;
    }
    if (s[i] == '\\' && i + 1 < end) {
      ++i;
      out += unescape(s, i);
      continue;
    }
    out += s[i];
  }
  return end;
}

}  // namespace

size_t PsqlQuery::source_offset(size_t at) const {
  const Piece* found = nullptr;
  for (const auto& p : pieces) {
    if (p.text_at > at) break;
    found = &p;
  }
  if (!found) return offset;
  return found->copied ? found->source_at + (at - found->text_at) : found->source_at;
}

std::string psql_quote_literal(const std::string& value) {
  const bool backslash = value.find('\\') != std::string::npos;
  std::string out = backslash ? " E'" : "'";
  for (char c : value) {
    if (c == '\'' || (c == '\\' && backslash)) out += c;
    out += c;
  }
  return out + "'";
}

std::string psql_quote_identifier(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += c;
    out += c;
  }
  return out + "\"";
}

PsqlScanner::PsqlScanner(std::string_view source) : source_(source) {
  if (source_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

void PsqlScanner::append_source(size_t from, size_t to) {
  if (to <= from) return;
  buffer_.pieces.push_back({buffer_.text.size(), from, true});
  buffer_.text.append(source_.substr(from, to - from));
}

void PsqlScanner::append_value(const std::string& value, size_t source_at) {
  buffer_.pieces.push_back({buffer_.text.size(), source_at, false});
  buffer_.text += value;
}

// psql's heuristic for CREATE [OR REPLACE] FUNCTION/PROCEDURE ... BEGIN ATOMIC bodies, whose ';'
// do not end the statement: BEGIN opens a block, CASE inside one opens another, END closes one.
void PsqlScanner::track(std::string_view token_text, bool is_word, char symbol) {
  if (symbol == '(') ++paren_depth_;
  if (symbol == ')' && paren_depth_ > 0) --paren_depth_;
  if (!is_word) return;
  const std::string word = upper(token_text);
  if (head_.size() < 4) head_.push_back(word);
  const bool routine =
      head_.size() >= 2 && head_[0] == "CREATE" &&
      (head_[1] == "FUNCTION" || head_[1] == "PROCEDURE" ||
       (head_.size() >= 4 && head_[1] == "OR" && head_[2] == "REPLACE" &&
        (head_[3] == "FUNCTION" || head_[3] == "PROCEDURE")));
  if (!routine || paren_depth_ != 0) return;
  if (word == "BEGIN") ++begin_depth_;
  else if (word == "CASE" && begin_depth_ > 0) ++begin_depth_;
  else if (word == "END" && begin_depth_ > 0) --begin_depth_;
}

PsqlQuery PsqlScanner::take_buffer() {
  PsqlQuery out = std::move(buffer_);
  while (!out.text.empty() && std::string_view(" \t\r\n\f\v").find(out.text.back()) != npos) {
    out.text.pop_back();
  }
  buffer_ = PsqlQuery{};
  buffer_started_ = false;
  paren_depth_ = begin_depth_ = 0;
  head_.clear();
  return out;
}

PsqlItem PsqlScanner::next(const PsqlVariables& vars) {
  while (true) {
    const sql::Token t = sql::next_token(source_, pos_);
    if (t.kind == sql::TokenKind::end) {
      pos_ = source_.size();
      PsqlItem item;
      if (buffer_started_ && buffer_.has_sql) {
        append_source(copied_to_, std::max(copied_to_, last_end_));
        item.kind = PsqlItem::Kind::query;
        item.offset = buffer_.offset;
        item.query = take_buffer();
      }
      return item;
    }
    if (t.kind == sql::TokenKind::backslash) return meta_command(t.offset, vars);
    if (!buffer_started_) {
      if (t.kind == sql::TokenKind::comment || t.kind == sql::TokenKind::semicolon) {
        pos_ = t.offset + t.text.size();
        continue;
      }
      buffer_started_ = true;
      buffer_.offset = copied_to_ = t.offset;
    }
    const size_t end = t.offset + t.text.size();
    if (t.kind == sql::TokenKind::semicolon && paren_depth_ == 0 && begin_depth_ == 0) {
      append_source(copied_to_, t.offset);
      pos_ = end;
      PsqlItem item;
      item.kind = PsqlItem::Kind::query;
      item.offset = buffer_.offset;
      item.query = take_buffer();
      return item;
    }
    if (t.kind == sql::TokenKind::other && t.text == ":") {
      if (end < source_.size() && source_[end] == ':') {  // a :: cast
        pos_ = last_end_ = end + 1;
        continue;
      }
      const Reference ref = reference_at(source_, t.offset);
      if (ref.end != 0) {
        if (auto value = substitute(ref, vars)) {
          append_source(copied_to_, t.offset);
          append_value(*value, t.offset);
          copied_to_ = ref.end;
          buffer_.has_sql = true;
        }
        pos_ = last_end_ = ref.end;
        continue;
      }
    }
    if (t.kind != sql::TokenKind::comment) buffer_.has_sql = true;
    track(t.text, t.kind == sql::TokenKind::word, t.text.size() == 1 ? t.text[0] : '\0');
    pos_ = last_end_ = end;
  }
}

PsqlItem PsqlScanner::meta_command(size_t backslash, const PsqlVariables& vars) {
  PsqlItem item;
  item.kind = PsqlItem::Kind::meta;
  item.offset = backslash;
  const size_t end = line_end(source_, backslash);
  size_t i = backslash + 1;
  while (i < end && source_[i] != '\\' && !std::isspace(static_cast<unsigned char>(source_[i]))) {
    item.command += source_[i++];
  }
  pos_ = end;
  while (i < end) {
    const char c = source_[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '\\') {  // `\\` ends the command, the rest of the line is SQL; `\x` starts another
      pos_ = (i + 1 < end && source_[i + 1] == '\\') ? i + 2 : i;
      break;
    }
    std::string arg;
    while (i < end && !std::isspace(static_cast<unsigned char>(source_[i])) && source_[i] != '\\') {
      const char a = source_[i];
      if (a == '\'') {
        i = quoted_argument(source_, i, end, arg);
      } else if (a == '"') {
        const size_t close = source_.find('"', i + 1);
        const size_t stop = close == npos || close > end ? end : close + 1;
        arg.append(source_.substr(i, stop - i));
        i = stop;
      } else if (a == '`') {
        item.problem = "backquoted shell commands in meta-command arguments are not run";
        arg += a;
        ++i;
      } else if (a == ':') {
        const Reference ref = reference_at(source_, i);
        auto value = ref.end != 0 && ref.end <= end ? substitute(ref, vars) : std::nullopt;
        if (value) {
          arg += *value;
          i = ref.end;
        } else {
          arg += a;
          ++i;
        }
      } else {
        arg += a;
        ++i;
      }
    }
    item.args.push_back(arg);
  }
  if (buffer_started_) {
    append_source(copied_to_, backslash);
    copied_to_ = pos_;
  }
  item.query = buffer_;
  return item;
}

}  // namespace migsafe::checks
