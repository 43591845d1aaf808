// Splits PostgreSQL SQL into statements, and maps byte offsets and server error positions to
// line:column. Pure logic: no database.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace migsafe::sql {

// One statement of a SQL source.
struct Statement {
  std::string text;   // as written, leading comments kept, trailing ';' and whitespace dropped
  size_t offset = 0;  // byte offset in the source of text[0]
  int line = 1;       // 1-based line of text[0]
  int column = 1;     // 1-based column (in characters, UTF-8 aware) of text[0]
};

// Splits `source` into statements the way psql does: a ';' outside quotes, comments, parentheses
// and BEGIN ATOMIC ... END bodies ends a statement. Understands '' strings, E'' strings with
// backslash escapes, "" identifiers, $$ and $tag$ quotes, -- and nested /* */ comments. A source
// of only whitespace and comments yields no statements; a final statement without ';' is still a
// statement; a psql meta-command (a backslash outside any statement, up to the end of its line)
// is skipped; a leading UTF-8 BOM is skipped (offsets still refer to `source`).
std::vector<Statement> split(std::string_view source);

// A 1-based line and character column.
struct Position {
  int line = 1;    // 1-based line
  int column = 1;  // 1-based column in UTF-8 characters
};

// The line and column of byte `offset` in `source`: columns count UTF-8 characters, a leading BOM
// is not a character, and CRLF, LF and a lone CR are each one line break.
Position position_at(std::string_view source, size_t offset);

// PostgreSQL reports an error position as a 1-based CHARACTER index into the statement text it was
// sent; returns the byte offset in `text` of that character (clamped to text.size()).
size_t byte_offset_of_char(std::string_view text, int char_position);

// The lexical classes split() and non_transactional_reason() tell apart.
enum class TokenKind {
  end,                // no more tokens
  word,               // an unquoted identifier or keyword
  quoted_identifier,  // "..."
  string,             // '...', E'...' (also the body of B'', X'', U&'' after their prefix word)
  dollar_string,      // $$...$$ or $tag$...$tag$
  parameter,          // $1
  number,             // 42, 1.5e3
  comment,            // -- to end of line, or /* nested */
  semicolon,          // ;
  open_paren,         // (
  close_paren,        // )
  backslash,          // \ (a psql meta-command when outside any statement)
  other,              // any other single character (operators, punctuation)
};

// One token: its class and its bytes in the source.
struct Token {
  TokenKind kind = TokenKind::end;  // the lexical class
  std::string_view text;            // the token's bytes; empty at the end
  size_t offset = 0;                // byte offset of text[0] in the source
};

// The first token at or after byte `pos` of `source`, skipping whitespace. An unterminated quote or
// comment runs to the end of `source`.
Token next_token(std::string_view source, size_t pos);

// Whether the word token `text` is `keyword` (ASCII case-insensitive; `keyword` in upper case).
bool is_keyword(std::string_view text, std::string_view keyword);

}  // namespace migsafe::sql
