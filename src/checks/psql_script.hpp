// Reads a test file the way psql reads it for pg_prove: SQL is gathered into a query buffer that a
// ';' (outside quotes, comments, parentheses and BEGIN ATOMIC bodies) sends, a backslash outside
// those starts a meta-command that runs to the end of the line, and `:var`, `:'var'`, `:"var"`
// are replaced by psql variables as the text is read (not inside strings, dollar quotes, comments
// or `::` casts). Pure logic: the caller runs what it gets and may change variables in between.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace migsafe::checks {

// psql variables by name.
using PsqlVariables = std::map<std::string, std::string>;

// A query to send: its text after interpolation, and how that text maps back to the source.
struct PsqlQuery {
  std::string text;     // as sent to the server
  size_t offset = 0;    // byte offset in the source of text[0]
  // Byte offset in the source of byte `at` of `text` (a substituted value maps to its `:var`).
  size_t source_offset(size_t at) const;

  // A stretch of `text` copied from the source, or substituted for a variable reference.
  struct Piece {
    size_t text_at = 0;    // where it starts in `text`
    size_t source_at = 0;  // where it (or its `:var`) starts in the source
    bool copied = true;    // false: a variable's value
  };
  std::vector<Piece> pieces;  // in order
  bool has_sql = false;       // false when the buffer holds only comments
};

// One thing a script asks for: a query (sent by ';' or at the end) or a meta-command.
struct PsqlItem {
  enum class Kind { end, query, meta };
  Kind kind = Kind::end;
  PsqlQuery query;                // kind == query: the query; kind == meta: the buffer so far
  std::string command;            // kind == meta: the name without '\', e.g. "gset"
  std::vector<std::string> args;  // kind == meta: arguments, unquoted and interpolated
  size_t offset = 0;              // byte offset in the source where the item starts
  std::string problem;            // kind == meta: why the arguments cannot be read, if so
};

// Walks one source; next() must be called again after the caller acted on an item, so variables
// set by a meta-command (`\set`, `\gset`) apply to the text after it, as in psql.
class PsqlScanner {
 public:
  explicit PsqlScanner(std::string_view source);
  // The next item, interpolating with `vars`. A meta-command leaves the query buffer in place (it
  // is in item.query); take_buffer() empties it, as `\g` and `\gset` do.
  PsqlItem next(const PsqlVariables& vars);
  // Empties the query buffer and returns what it held.
  PsqlQuery take_buffer();

 private:
  void append_source(size_t from, size_t to);
  void append_value(const std::string& value, size_t source_at);
  void track(std::string_view token_text, bool is_word, char symbol);
  PsqlItem meta_command(size_t backslash, const PsqlVariables& vars);

  std::string_view source_;
  size_t pos_ = 0;
  PsqlQuery buffer_;
  bool buffer_started_ = false;
  size_t copied_to_ = 0;  // source bytes before this are in the buffer (or were left out)
  size_t last_end_ = 0;   // the end of the buffer's last token
  int paren_depth_ = 0;
  int begin_depth_ = 0;
  std::vector<std::string> head_;  // the first words of the buffer, upper-cased (up to 4)
};

// `value` as psql's :'name' writes it: a SQL string literal (E'' when it holds a backslash).
std::string psql_quote_literal(const std::string& value);
// `value` as psql's :"name" writes it: a quoted SQL identifier.
std::string psql_quote_identifier(const std::string& value);

}  // namespace migsafe::checks
