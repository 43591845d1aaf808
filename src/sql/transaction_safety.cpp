// Statements PostgreSQL runs only outside a transaction block (each calls
// PreventInTransactionBlock() in the server). The rules look at the statement's tokens, so words
// inside strings, quoted identifiers, dollar quotes and comments never match.
//
// Not reported: ALTER TYPE ... ADD VALUE. Before PostgreSQL 12 it could not run inside a
// transaction block; from 12 on it can (the new value just cannot be used until commit), and
// migsafe supports 12 and later.
#include "sql/transaction_safety.hpp"

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <vector>

#include "sql/splitter.hpp"

namespace migsafe::sql {
namespace {

// Tokens with comments dropped: words upper-cased, everything else exactly as written, so a quoted
// "VACUUM" or 'VACUUM' never equals the keyword VACUUM.
using Words = std::vector<std::string>;

const char* const kNotInBlock = " cannot run inside a transaction block";

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// The tokens of the first statement in `statement`.
Words words_of(std::string_view statement) {
  Words words;
  Token t = next_token(statement, 0);
  for (; t.kind != TokenKind::end && t.kind != TokenKind::semicolon;
       t = next_token(statement, t.offset + t.text.size())) {
    if (t.kind == TokenKind::comment) continue;
    words.push_back(t.kind == TokenKind::word ? upper(t.text) : std::string(t.text));
  }
  return words;
}

bool at(const Words& w, size_t i, std::string_view word) {
  return i < w.size() && w[i] == word;
}

bool starts_with(const Words& w, std::initializer_list<std::string_view> seq, size_t from = 0) {
  for (std::string_view word : seq) {
    if (!at(w, from++, word)) return false;
  }
  return true;
}

bool contains(const Words& w, std::initializer_list<std::string_view> seq) {
  for (size_t i = 0; i < w.size(); ++i) {
    if (starts_with(w, seq, i)) return true;
  }
  return false;
}

// The index just past the parenthesised group opening at `open`.
size_t after_group(const Words& w, size_t open) {
  int depth = 0;
  for (size_t i = open; i < w.size(); ++i) {
    if (w[i] == "(") ++depth;
    if (w[i] == ")" && --depth == 0) return i + 1;
  }
  return w.size();
}

// The tokens of the "WITH ( ... )" option list, or none.
Words with_options(const Words& w) {
  for (size_t i = 0; i + 1 < w.size(); ++i) {
    if (w[i] == "WITH" && w[i + 1] == "(") {
      return Words(w.begin() + static_cast<std::ptrdiff_t>(i),
                   w.begin() + static_cast<std::ptrdiff_t>(after_group(w, i + 1)));
    }
  }
  return {};
}

// The value given to option `name` in an option list: "" when it is named without one, nullopt
// when it is not named.
std::optional<std::string> option_value(const Words& options, std::string_view name) {
  for (size_t i = 0; i < options.size(); ++i) {
    if (options[i] != name) continue;
    const size_t v = at(options, i + 1, "=") ? i + 2 : i + 1;
    if (v >= options.size() || options[v] == "," || options[v] == ")") return std::string();
    return options[v];
  }
  return std::nullopt;
}

bool is_false(std::string value) {
  if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
    value = upper(value.substr(1, value.size() - 2));
  }
  return value == "FALSE" || value == "OFF" || value == "0" || value == "NO";
}

bool option_off(const Words& options, std::string_view name) {
  const std::optional<std::string> value = option_value(options, name);
  return value && is_false(*value);
}

std::string transaction_control(const Words& w) {
  const bool savepoint =
      at(w, 0, "ROLLBACK") &&
      (at(w, 1, "TO") || ((at(w, 1, "WORK") || at(w, 1, "TRANSACTION")) && at(w, 2, "TO")));
  if (savepoint || at(w, 1, "PREPARED")) return {};
  std::string name;
  for (const char* word : {"BEGIN", "COMMIT", "END", "ABORT", "ROLLBACK"}) {
    if (at(w, 0, word)) name = word;
  }
  if (starts_with(w, {"START", "TRANSACTION"})) name = "START TRANSACTION";
  if (starts_with(w, {"PREPARE", "TRANSACTION"})) name = "PREPARE TRANSACTION";
  if (name.empty()) return {};
  return "transaction control statement " + name + " in a migration file";
}

std::string prepared_transaction(const Words& w) {
  if (!(at(w, 0, "COMMIT") || at(w, 0, "ROLLBACK")) || !at(w, 1, "PREPARED")) return {};
  return w[0] + " PREPARED" + kNotInBlock;
}

std::string concurrent_index(const Words& w) {
  const size_t index = at(w, 1, "UNIQUE") ? 2 : 1;
  if (at(w, 0, "CREATE") && starts_with(w, {"INDEX", "CONCURRENTLY"}, index)) {
    return std::string("CREATE INDEX CONCURRENTLY") + kNotInBlock;
  }
  if (starts_with(w, {"DROP", "INDEX", "CONCURRENTLY"})) {
    return std::string("DROP INDEX CONCURRENTLY") + kNotInBlock;
  }
  return {};
}

// REINDEX [ (options) ] {INDEX|TABLE|SCHEMA|DATABASE|SYSTEM} [CONCURRENTLY] name
std::string reindex(const Words& w) {
  if (!at(w, 0, "REINDEX")) return {};
  size_t kind = 1;
  bool concurrently = false;
  if (at(w, 1, "(")) {
    kind = after_group(w, 1);
    const Words options(w.begin() + 1, w.begin() + static_cast<std::ptrdiff_t>(kind));
    const std::optional<std::string> value = option_value(options, "CONCURRENTLY");
    concurrently = value && !is_false(*value);
  }
  if (concurrently || at(w, kind + 1, "CONCURRENTLY")) {
    return std::string("REINDEX CONCURRENTLY") + kNotInBlock;
  }
  for (const char* whole : {"SCHEMA", "DATABASE", "SYSTEM"}) {
    if (at(w, kind, whole)) return std::string("REINDEX ") + whole + kNotInBlock;
  }
  return {};
}

std::string maintenance(const Words& w) {
  if (at(w, 0, "VACUUM")) return std::string("VACUUM") + kNotInBlock;
  if (starts_with(w, {"ALTER", "SYSTEM"})) return std::string("ALTER SYSTEM") + kNotInBlock;
  if (starts_with(w, {"DISCARD", "ALL"})) return std::string("DISCARD ALL") + kNotInBlock;
  if (!at(w, 0, "CLUSTER")) return {};
  // CLUSTER [ (options) ] [VERBOSE] with no table reclusters every table, one transaction each.
  size_t i = at(w, 1, "(") ? after_group(w, 1) : 1;
  if (at(w, i, "VERBOSE")) ++i;
  return i < w.size() ? "" : std::string("CLUSTER without a table name") + kNotInBlock;
}

std::string database_or_tablespace(const Words& w) {
  for (const char* verb : {"CREATE", "DROP"}) {
    for (const char* object : {"DATABASE", "TABLESPACE"}) {
      if (starts_with(w, {verb, object})) return std::string(verb) + " " + object + kNotInBlock;
    }
  }
  if (starts_with(w, {"ALTER", "DATABASE"}) && contains(w, {"SET", "TABLESPACE"})) {
    return std::string("ALTER DATABASE SET TABLESPACE") + kNotInBlock;
  }
  return {};
}

std::string detach_concurrently(const Words& w) {
  if (!starts_with(w, {"ALTER", "TABLE"}) || !contains(w, {"DETACH", "PARTITION"})) return {};
  return w.back() == "CONCURRENTLY"
             ? std::string("ALTER TABLE ... DETACH CONCURRENTLY") + kNotInBlock
             : std::string();
}

// CREATE needs no transaction block only without a replication slot; ALTER ... SET/ADD/DROP
// PUBLICATION refreshes (and so needs none) unless refresh = false.
std::string subscription(const Words& w) {
  if (starts_with(w, {"CREATE", "SUBSCRIPTION"})) {
    const Words options = with_options(w);
    if (option_off(options, "CREATE_SLOT") || option_off(options, "CONNECT")) return {};
    return std::string("CREATE SUBSCRIPTION ... WITH (create_slot = true)") + kNotInBlock;
  }
  if (starts_with(w, {"DROP", "SUBSCRIPTION"})) {
    return std::string("DROP SUBSCRIPTION") + kNotInBlock +
           " when the subscription has a replication slot";
  }
  if (!starts_with(w, {"ALTER", "SUBSCRIPTION"})) return {};
  if (at(w, 3, "REFRESH")) return std::string("ALTER SUBSCRIPTION ... REFRESH") + kNotInBlock;
  const bool publication =
      (at(w, 3, "SET") || at(w, 3, "ADD") || at(w, 3, "DROP")) && at(w, 4, "PUBLICATION");
  if (!publication || option_off(with_options(w), "REFRESH")) return {};
  return std::string("ALTER SUBSCRIPTION with refresh") + kNotInBlock;
}

// Tokens of the first statement, comments dropped, as lexed (case and quotes kept): for names.
using Tokens = std::vector<Token>;

// Every token of `source`, comments dropped (semicolons kept).
Tokens all_tokens(std::string_view source) {
  Tokens tokens;
  for (Token t = next_token(source, 0); t.kind != TokenKind::end; t = next_token(source, t.offset + t.text.size())) {
    if (t.kind != TokenKind::comment) tokens.push_back(t);
  }
  return tokens;
}

// The text between the tags of a $tag$ ... $tag$ token.
std::string_view dollar_body(std::string_view text) {
  const size_t open = text.find('$', 1);
  if (open == std::string_view::npos) return {};
  const size_t tag = open + 1;
  if (text.size() < 2 * tag) return {};
  return text.substr(tag, text.size() - 2 * tag);
}

Tokens name_tokens(std::string_view statement) {
  Tokens tokens;
  for (Token t = next_token(statement, 0); t.kind != TokenKind::end && t.kind != TokenKind::semicolon;
       t = next_token(statement, t.offset + t.text.size())) {
    if (t.kind != TokenKind::comment) tokens.push_back(t);
  }
  return tokens;
}

bool is_word(const Token& t, std::string_view keyword) {
  return t.kind == TokenKind::word && is_keyword(t.text, keyword);
}

bool is_word(const Tokens& t, size_t i, std::string_view keyword) {
  return i < t.size() && is_word(t[i], keyword);
}

// An identifier as PostgreSQL reads it: unquoted folded to lower case, "quoted" as written.
std::string identifier(const Token& t) {
  if (t.kind == TokenKind::quoted_identifier) {
    std::string out;
    const std::string_view inner = t.text.substr(1, t.text.size() >= 2 ? t.text.size() - 2 : 0);
    for (size_t i = 0; i < inner.size(); ++i) {
      out += inner[i];
      if (inner[i] == '"' && i + 1 < inner.size() && inner[i + 1] == '"') ++i;
    }
    return out;
  }
  std::string out(t.text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The dotted name starting at token `i` ("public.mood"); moves `i` past it; "" when none.
std::string qualified_name(const Tokens& t, size_t& i) {
  std::string name;
  while (i < t.size() && (t[i].kind == TokenKind::word || t[i].kind == TokenKind::quoted_identifier)) {
    name += identifier(t[i++]);
    if (i + 1 < t.size() && t[i].text == ".") {
      name += '.';
      ++i;
    } else {
      break;
    }
  }
  return name;
}

// The value of a '...' or E'...' literal ('' and simple backslash escapes undone).
std::string string_value(std::string_view text) {
  const bool escape = !text.empty() && (text[0] == 'E' || text[0] == 'e');
  if (escape) text.remove_prefix(1);
  if (text.size() >= 2) text = text.substr(1, text.size() - 2);
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\'' && i + 1 < text.size() && text[i + 1] == '\'') ++i;
    else if (escape && text[i] == '\\' && i + 1 < text.size()) ++i;
    out += text[i];
  }
  return out;
}

}  // namespace

std::string non_transactional_reason(std::string_view statement) {
  const Words w = words_of(statement);
  if (w.empty()) return {};
  using Rule = std::string (*)(const Words&);
  for (Rule rule : {transaction_control, prepared_transaction, concurrent_index, reindex,
                    maintenance, database_or_tablespace, detach_concurrently, subscription}) {
    std::string reason = rule(w);
    if (!reason.empty()) return reason;
  }
  return {};
}

bool is_transaction_control(std::string_view statement) {
  const Words w = words_of(statement);
  return !w.empty() && !transaction_control(w).empty();
}

TransactionControl transaction_control_of(std::string_view statement) {
  const Words w = words_of(statement);
  if (w.empty() || transaction_control(w).empty()) return TransactionControl::none;
  if (at(w, 0, "BEGIN") || at(w, 0, "START")) return TransactionControl::begin;
  if (at(w, 0, "COMMIT") || at(w, 0, "END")) return TransactionControl::commit;
  if (at(w, 0, "PREPARE")) return TransactionControl::prepare;
  return TransactionControl::rollback;
}

std::string transaction_control_words(std::string_view statement) {
  std::string out;
  for (const std::string& word : words_of(statement)) {
    if (word.empty() || word[0] < 'A' || word[0] > 'Z') break;
    out += (out.empty() ? "" : " ") + word;
  }
  return out;
}

std::vector<EnumValueAdded> enum_values_added(std::string_view statement) {
  std::vector<EnumValueAdded> out;
  const Tokens t = all_tokens(statement);
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i].kind == TokenKind::dollar_string) {
      for (EnumValueAdded& inner : enum_values_added(dollar_body(t[i].text))) out.push_back(std::move(inner));
      continue;
    }
    if (!is_word(t[i], "ALTER") || !is_word(t, i + 1, "TYPE")) continue;
    size_t j = i + 2;
    std::string type = qualified_name(t, j);
    if (type.empty() || !is_word(t, j, "ADD") || !is_word(t, j + 1, "VALUE")) continue;
    j += 2;
    if (is_word(t, j, "IF") && is_word(t, j + 1, "NOT") && is_word(t, j + 2, "EXISTS")) j += 3;
    if (j < t.size() && t[j].kind == TokenKind::string) out.push_back(EnumValueAdded{type, string_value(t[j].text)});
  }
  return out;
}

bool creates_logical_slot(std::string_view statement) {
  for (const Token& token : name_tokens(statement)) {
    if (is_word(token, "PG_CREATE_LOGICAL_REPLICATION_SLOT")) return true;
  }
  return false;
}

}  // namespace migsafe::sql
