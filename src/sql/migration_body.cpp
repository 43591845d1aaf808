// Why refuse rather than run: psql meta-commands are not SQL (the server, and the Supabase CLI
// that sends files to it, fail on them), and skipping one would record a migration as applied
// with a line missing. A COMMIT in the middle of a file would commit part of an atomic run behind
// migsafe's back and make "restored by rollback" untrue. Both are found before the first
// statement runs, with the file's line and column.
#include "sql/migration_body.hpp"

#include "sql/transaction_safety.hpp"

namespace migsafe::sql {
namespace {

constexpr size_t kMaxCommandName = 24;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// What to do instead of meta-command `name`.
std::string meta_command_advice(std::string_view name) {
  if (name == "\\i" || name == "\\ir" || name == "\\include" || name == "\\include_relative") {
    return "copy the SQL of the included file into this migration (or make it a migration of its own)";
  }
  if (name == "\\c" || name == "\\connect") return "a migration runs on the pipeline's database; remove it";
  if (name == "\\." || name == "\\copy") return "COPY data inline in a file needs psql; write the rows as INSERT ... VALUES";
  if (name == "\\set" || name == "\\unset" || name == "\\gset") {
    return "write the values into the SQL instead of psql variables";
  }
  return "remove it, or write what it does in SQL";
}

Refusal at(std::string_view source, size_t offset, std::string message) {
  const Position p = position_at(source, offset);
  return Refusal{p.line, p.column, std::move(message)};
}

void find_meta_commands(std::string_view source, std::vector<Refusal>& out) {
  for (Token t = next_token(source, 0); t.kind != TokenKind::end; t = next_token(source, t.offset + t.text.size())) {
    if (t.kind != TokenKind::backslash) continue;
    size_t end = t.offset + 1;
    while (end < source.size() && !is_space(source[end]) && end - t.offset < kMaxCommandName) ++end;
    const std::string name(source.substr(t.offset, end - t.offset));
    out.push_back(at(source, t.offset,
                     "psql meta-command " + name +
                         " in a migration: it is not SQL, so neither PostgreSQL nor the Supabase CLI can run it, "
                         "and migsafe will not skip it; " +
                         meta_command_advice(name)));
  }
}

// Offset of the first token of `s` that is not a comment (where its keyword is).
size_t keyword_offset(std::string_view source, const Statement& s) {
  Token t = next_token(source, s.offset);
  while (t.kind == TokenKind::comment) t = next_token(source, t.offset + t.text.size());
  return t.kind == TokenKind::end ? s.offset : t.offset;
}

// The control statements of `statements`, by index.
struct Control {
  size_t index;
  TransactionControl kind;
};

std::string refusal_text(const std::string& words, TransactionControl kind, bool last, bool first) {
  const std::string split_hint = "; split the file into separate migrations there instead";
  switch (kind) {
    case TransactionControl::begin:
      return first ? words + " without a COMMIT as the file's last statement: the file would leave its transaction open"
                   : words + " in the middle of a migration: only a BEGIN as the first statement (with COMMIT as the last) "
                             "is allowed" + split_hint;
    case TransactionControl::commit:
      return words + " in the middle of a migration: it would commit part of the run before the rest is applied, "
                     "so a later failure could not be rolled back" + split_hint;
    case TransactionControl::rollback:
      return last ? words + " as the last statement would undo the migration, yet it would be recorded as applied"
                  : words + " in the middle of a migration: it would undo part of the file and run the rest" + split_hint;
    case TransactionControl::prepare:
    case TransactionControl::none: break;
  }
  return words + " in a migration: two-phase commit is not supported";
}

void check_transaction_control(std::string_view source, MigrationBody& body) {
  std::vector<Control> controls;
  for (size_t i = 0; i < body.statements.size(); ++i) {
    const TransactionControl kind = transaction_control_of(body.statements[i].text);
    if (kind != TransactionControl::none) controls.push_back({i, kind});
  }
  if (controls.empty()) return;
  const size_t last = body.statements.size() - 1;
  const bool opens = controls.front().index == 0 && controls.front().kind == TransactionControl::begin;
  const bool closes = controls.back().index == last && controls.back().kind == TransactionControl::commit;
  const bool wrapped = closes && (opens ? controls.size() == 2 : controls.size() == 1);
  if (wrapped) {
    body.own_transaction = true;
    body.statements.pop_back();
    if (opens) body.statements.erase(body.statements.begin());
    return;
  }
  for (const Control& c : controls) {
    const bool allowed = (opens && closes && c.index == 0) || (closes && c.index == last);
    if (allowed) continue;
    const Statement& s = body.statements[c.index];
    const std::string words = transaction_control_words(s.text);
    body.refusals.push_back(at(source, keyword_offset(source, s), refusal_text(words, c.kind, c.index == last, c.index == 0)));
  }
}

}  // namespace

MigrationBody migration_body(std::string_view source) {
  MigrationBody body;
  body.statements = split(source);
  find_meta_commands(source, body.refusals);
  check_transaction_control(source, body);
  return body;
}

}  // namespace migsafe::sql
