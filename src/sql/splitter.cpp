// Statement splitting and position mapping.
//
// What the Supabase CLI does (supabase/cli pkg/parser/token.go, pkg/parser/state.go,
// pkg/migration/file.go): a migration file goes through parser.SplitAndTrim. A per-rune state
// machine emits a token at each ';' outside '' and "" quotes, $tag$ quotes, -- and nested /* */
// comments, ( ) nesting and an "ATOMIC ... END" region (a backslash outside those skips the next
// character); a token runs from just after the previous ';' through this ';', or to EOF for the
// last one. Each token gets strings.TrimRight(token, ";") then strings.TrimSpace and is dropped if
// empty. So a statement keeps the comments before it (also one after the previous ';' on the same
// line) and its inner whitespace, and loses its ';' and outer whitespace. MigrationFile.ExecBatch
// sends each as its own query, then inserts the same strings as schema_migrations.statements.
//
// What we match: the same boundaries and trimming, so `Statement::text` is the CLI's array element
// for ordinary files, and `offset` is where that text starts (at its first comment, if any), so a
// server error position inside it maps back exactly.
//
// Where we differ on purpose (psql is the reference): a segment of only comments (e.g. "-- end"
// after the last ';') is not a statement (the CLI stores it); a leading UTF-8 BOM is skipped (the
// CLI sends it); E'\'' honours the backslash (the CLI splits inside it); a psql meta-command line
// outside a statement is skipped (the CLI sends it); BEGIN ATOMIC uses psql's rule (BEGIN/CASE ...
// END counted inside CREATE [OR REPLACE] FUNCTION/PROCEDURE) instead of a bare ATOMIC word; only
// ASCII whitespace is trimmed (Go also trims Unicode spaces, which PostgreSQL rejects anyway).
#include "sql/splitter.hpp"

#include <utility>

namespace migsafe::sql {
namespace {

constexpr size_t npos = std::string_view::npos;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
// PostgreSQL's ident_start: ASCII letters, '_' and every byte of a multi-byte UTF-8 character.
bool is_ident_start(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u >= 0x80;
}
bool is_ident_char(char c) {
  return is_ident_start(c) || is_digit(c) || c == '$';
}
bool is_number_char(char c) {
  return is_digit(c) || c == '.' || c == '_' || is_ident_start(c);
}
bool is_utf8_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}
bool has_bom(std::string_view s) {
  return s.substr(0, 3) == "\xEF\xBB\xBF";
}

template <typename Pred>
size_t span_end(std::string_view s, size_t pos, Pred pred) {
  while (pos < s.size() && pred(s[pos])) ++pos;
  return pos;
}

// The end of a -- comment: its line break is not part of it.
size_t line_end(std::string_view s, size_t pos) {
  const size_t end = s.find_first_of("\r\n", pos);
  return end == npos ? s.size() : end;
}

// /* comments nest in PostgreSQL, unlike in the SQL standard.
size_t block_comment_end(std::string_view s, size_t pos) {
  int depth = 0;
  for (size_t i = pos; i + 1 < s.size();) {
    if (s[i] == '/' && s[i + 1] == '*') {
      ++depth, i += 2;
    } else if (s[i] == '*' && s[i + 1] == '/') {
      i += 2;
      if (--depth == 0) return i;
    } else {
      ++i;
    }
  }
  return s.size();
}

// '...' or "...", where a doubled quote stands for itself.
size_t quoted_end(std::string_view s, size_t pos, char quote) {
  for (size_t i = pos + 1; i < s.size(); ++i) {
    if (s[i] != quote) continue;
    if (i + 1 < s.size() && s[i + 1] == quote) {
      ++i;
    } else {
      return i + 1;
    }
  }
  return s.size();
}

// E'...' at `pos` (the E): a backslash escapes the next byte, and '' still stands for '.
size_t escape_string_end(std::string_view s, size_t pos) {
  for (size_t i = pos + 2; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '\'') {
      if (i + 1 >= s.size() || s[i + 1] != '\'') return i + 1;
      ++i;
    }
  }
  return s.size();
}

// The length of a $tag$ opener at `pos`, or 0 when there is none (a tag cannot start with a digit).
size_t dollar_tag_length(std::string_view s, size_t pos) {
  size_t i = pos + 1;
  if (i < s.size() && s[i] == '$') return 2;
  if (i >= s.size() || !is_ident_start(s[i])) return 0;
  i = span_end(s, i, [](char c) { return is_ident_start(c) || is_digit(c); });
  return i < s.size() && s[i] == '$' ? i + 1 - pos : 0;
}

struct Lexed {
  TokenKind kind;
  size_t end;
};

Lexed lex_dollar(std::string_view s, size_t pos) {
  if (pos + 1 < s.size() && is_digit(s[pos + 1])) {
    return {TokenKind::parameter, span_end(s, pos + 1, is_digit)};
  }
  const size_t tag = dollar_tag_length(s, pos);
  if (tag == 0) return {TokenKind::other, pos + 1};
  // Nested quotes with other tags are opaque: only the same tag closes this one.
  const size_t close = s.find(s.substr(pos, tag), pos + tag);
  return {TokenKind::dollar_string, close == npos ? s.size() : close + tag};
}

Lexed lex_word(std::string_view s, size_t pos) {
  const size_t end = span_end(s, pos, is_ident_char);
  const bool escape_prefix = end == pos + 1 && (s[pos] == 'E' || s[pos] == 'e');
  if (escape_prefix && end < s.size() && s[end] == '\'') {
    return {TokenKind::string, escape_string_end(s, pos)};
  }
  return {TokenKind::word, end};
}

TokenKind symbol_kind(char c) {
  if (c == ';') return TokenKind::semicolon;
  if (c == '(') return TokenKind::open_paren;
  if (c == ')') return TokenKind::close_paren;
  return c == '\\' ? TokenKind::backslash : TokenKind::other;
}

Lexed lex_at(std::string_view s, size_t pos) {
  const char c = s[pos];
  const char next = pos + 1 < s.size() ? s[pos + 1] : '\0';
  if (c == '-' && next == '-') return {TokenKind::comment, line_end(s, pos)};
  if (c == '/' && next == '*') return {TokenKind::comment, block_comment_end(s, pos)};
  if (c == '\'') return {TokenKind::string, quoted_end(s, pos, '\'')};
  if (c == '"') return {TokenKind::quoted_identifier, quoted_end(s, pos, '"')};
  if (c == '$') return lex_dollar(s, pos);
  if (is_ident_start(c)) return lex_word(s, pos);
  if (is_digit(c)) return {TokenKind::number, span_end(s, pos, is_number_char)};
  return {symbol_kind(c), pos + 1};
}

// Walks the source once, so positions of successive statements cost O(source) in total.
struct Cursor {
  size_t offset = 0;
  Position position;
};

Cursor start_of(std::string_view s) {
  return Cursor{has_bom(s) ? size_t{3} : 0, Position{}};
}

void advance(std::string_view s, Cursor& cursor, size_t target) {
  for (size_t& i = cursor.offset; i < target && i < s.size(); ++i) {
    const bool crlf_tail = s[i] == '\n' && i > 0 && s[i - 1] == '\r';
    if ((s[i] == '\n' && !crlf_tail) || s[i] == '\r') {
      cursor.position = Position{cursor.position.line + 1, 1};
    } else if (!crlf_tail && !is_utf8_continuation(s[i])) {
      ++cursor.position.column;
    }
  }
}

// The statement being gathered, and psql's nesting state that decides whether ';' ends it.
struct Pending {
  size_t start = npos;   // offset of its first token, a comment or not
  size_t end = 0;        // end of its last token: trailing whitespace and ';' are left out
  bool has_sql = false;  // whether a token other than a comment was seen
  int paren_depth = 0;
  int begin_depth = 0;
  int word_count = 0;
  char head[4] = {};  // first letters of CREATE/OR/REPLACE/FUNCTION/PROCEDURE in words 1-4
};

bool is_head_word(std::string_view w) {
  for (const char* k : {"CREATE", "OR", "REPLACE", "FUNCTION", "PROCEDURE"}) {
    if (is_keyword(w, k)) return true;
  }
  return false;
}

// psql's test for CREATE [OR REPLACE] {FUNCTION|PROCEDURE}, whose BEGIN ATOMIC body holds ';'.
bool in_create_routine(const Pending& p) {
  const char* h = p.head;
  const bool routine = h[1] == 'f' || h[1] == 'p';
  const bool or_replace_routine = h[1] == 'o' && h[2] == 'r' && (h[3] == 'f' || h[3] == 'p');
  return h[0] == 'c' && (routine || or_replace_routine);
}

// psql's heuristic (psqlscan.l): in a routine, BEGIN opens a block, CASE inside one opens another,
// and END closes one, all only outside parentheses.
void track_word(Pending& p, std::string_view w) {
  if (p.word_count < 4 && is_head_word(w)) p.head[p.word_count] = static_cast<char>(w[0] | 0x20);
  ++p.word_count;
  if (!in_create_routine(p) || p.paren_depth != 0) return;
  if (is_keyword(w, "BEGIN")) {
    ++p.begin_depth;
  } else if (is_keyword(w, "CASE") && p.begin_depth > 0) {
    ++p.begin_depth;
  } else if (is_keyword(w, "END") && p.begin_depth > 0) {
    --p.begin_depth;
  }
}

void track_nesting(Pending& p, const Token& t) {
  if (t.kind == TokenKind::open_paren) ++p.paren_depth;
  if (t.kind == TokenKind::close_paren && p.paren_depth > 0) --p.paren_depth;
  if (t.kind == TokenKind::word) track_word(p, t.text);
}

class Splitter {
 public:
  explicit Splitter(std::string_view source) : source_(source), cursor_(start_of(source)) {}

  // Feeds the next token; returns the offset to lex from next.
  size_t take(const Token& t) {
    if (t.kind == TokenKind::backslash && !pending_.has_sql) {
      pending_ = Pending{};  // a psql meta-command: skip its line
      return line_end(source_, t.offset);
    }
    if (t.kind == TokenKind::semicolon && pending_.paren_depth == 0 && pending_.begin_depth == 0) {
      finish();
      return t.offset + 1;
    }
    if (pending_.start == npos) pending_.start = t.offset;
    pending_.end = t.offset + t.text.size();
    if (t.kind != TokenKind::comment) {
      pending_.has_sql = true;
      track_nesting(pending_, t);
    }
    return pending_.end;
  }

  // Emits the pending statement, if it holds any SQL, and starts a new one.
  void finish() {
    if (pending_.has_sql) {
      advance(source_, cursor_, pending_.start);
      const std::string_view text = source_.substr(pending_.start, pending_.end - pending_.start);
      const Position at = cursor_.position;
      statements_.push_back(Statement{std::string(text), pending_.start, at.line, at.column});
    }
    pending_ = Pending{};
  }

  std::vector<Statement> take_statements() { return std::move(statements_); }

 private:
  std::string_view source_;
  Cursor cursor_;
  Pending pending_;
  std::vector<Statement> statements_;
};

}  // namespace

bool is_keyword(std::string_view text, std::string_view keyword) {
  if (text.size() != keyword.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c) != keyword[i]) return false;
  }
  return true;
}

Token next_token(std::string_view source, size_t pos) {
  pos = span_end(source, pos, is_space);
  if (pos >= source.size()) {
    return Token{TokenKind::end, source.substr(source.size()), source.size()};
  }
  const Lexed lexed = lex_at(source, pos);
  return Token{lexed.kind, source.substr(pos, lexed.end - pos), pos};
}

std::vector<Statement> split(std::string_view source) {
  Splitter splitter(source);
  size_t pos = has_bom(source) ? 3 : 0;
  for (Token t = next_token(source, pos); t.kind != TokenKind::end; t = next_token(source, pos)) {
    pos = splitter.take(t);
  }
  splitter.finish();
  return splitter.take_statements();
}

Position position_at(std::string_view source, size_t offset) {
  Cursor cursor = start_of(source);
  advance(source, cursor, offset);
  return cursor.position;
}

size_t byte_offset_of_char(std::string_view text, int char_position) {
  int seen = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (is_utf8_continuation(text[i])) continue;
    if (++seen >= char_position) return i;
  }
  return text.size();
}

}  // namespace migsafe::sql
