// A small lexer over PostgreSQL's literal syntax, enough to blank literals out: it never needs to
// be right about anything but where a literal starts and ends.
#include "sql/redact.hpp"

#include <algorithm>
#include <cctype>

#include "util/utf8.hpp"

namespace migsafe::sql {
namespace {

bool ident_char(unsigned char c) { return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80; }

// The end of a '...' string starting at `i` (the quote); `backslash` for E'' strings.
size_t skip_string(const std::string& s, size_t i, bool backslash) {
  for (++i; i < s.size(); ++i) {
    if (backslash && s[i] == '\\') {
      ++i;
    } else if (s[i] == '\'') {
      if (i + 1 < s.size() && s[i + 1] == '\'') ++i;
      else return i + 1;
    }
  }
  return s.size();
}

// The tag of a dollar quote at `i` ("$$" or "$tag$"), or "" when there is none.
std::string dollar_tag(const std::string& s, size_t i) {
  size_t j = i + 1;
  while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
  if (j >= s.size() || s[j] != '$') return "";
  if (j > i + 1 && std::isdigit(static_cast<unsigned char>(s[i + 1]))) return "";  // $1 is a parameter
  return s.substr(i, j - i + 1);
}

}  // namespace

std::string redact_literals(const std::string& s, size_t max_chars) {
  std::string out;
  auto space = [&] {
    if (!out.empty() && out.back() != ' ') out += ' ';
  };
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const bool after_ident = i > 0 && ident_char(static_cast<unsigned char>(s[i - 1]));
    if (std::isspace(c)) {
      space();
      ++i;
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      while (i < s.size() && s[i] != '\n') ++i;
      space();
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      size_t end = s.find("*/", i + 2);
      i = end == std::string::npos ? s.size() : end + 2;
      space();
    } else if (c == '\'') {
      i = skip_string(s, i, false);
      out += '?';
    } else if (!after_ident && (c == 'e' || c == 'E') && i + 1 < s.size() && s[i + 1] == '\'') {
      i = skip_string(s, i + 1, true);
      out += '?';
    } else if (!after_ident && std::string("bBxXnN").find(static_cast<char>(c)) != std::string::npos &&
               i + 1 < s.size() && s[i + 1] == '\'') {
      i = skip_string(s, i + 1, false);
      out += '?';
    } else if (!after_ident && (c == 'u' || c == 'U') && s.compare(i + 1, 2, "&'") == 0) {
      i = skip_string(s, i + 2, false);
      out += '?';
    } else if (c == '"') {
      size_t end = i + 1;
      while (end < s.size() && s[end] != '"') end += 1;
      while (end + 1 < s.size() && s[end + 1] == '"') {  // "" inside a quoted name
        end += 2;
        while (end < s.size() && s[end] != '"') ++end;
      }
      end = std::min(end + 1, s.size());
      out += s.substr(i, end - i);
      i = end;
    } else if (c == '$' && !after_ident && !dollar_tag(s, i).empty()) {
      const std::string tag = dollar_tag(s, i);
      size_t end = s.find(tag, i + tag.size());
      i = end == std::string::npos ? s.size() : end + tag.size();
      out += '?';
    } else if ((std::isdigit(c) || (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) &&
               !after_ident) {
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '.' || s[i] == '_' ||
                              ((s[i] == '+' || s[i] == '-') && (s[i - 1] == 'e' || s[i - 1] == 'E')))) {
        ++i;
      }
      out += '?';
    } else {
      out += s[i++];
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  const std::string cut = util::truncate_chars(out, max_chars);
  return cut.size() < out.size() ? cut + "..." : cut;
}

}  // namespace migsafe::sql
