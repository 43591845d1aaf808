// psql's main loop for one file (src/bin/psql/mainloop.c, common.c) on migsafe's session. The
// file's transaction control is emulated with savepoints because the suite must stay inside one
// transaction that is rolled back at the end, while what the file commits stays for later files.
#include "checks/psql_file_run.hpp"
#include "core/error.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "checks/suite_scope.hpp"
#include "sql/splitter.hpp"
#include "util/interrupt.hpp"
#include "util/utf8.hpp"

namespace migsafe::checks {
namespace fs = std::filesystem;
namespace {

constexpr int kMaxIncludeDepth = 16;

std::vector<std::string> leading_words(std::string_view text, size_t n) {
  std::vector<std::string> out;
  for (sql::Token t = sql::next_token(text, 0); t.kind != sql::TokenKind::end && out.size() < n;
       t = sql::next_token(text, t.offset + t.text.size())) {
    if (t.kind == sql::TokenKind::comment) continue;
    if (t.kind != sql::TokenKind::word) break;
    std::string w(t.text);
    for (auto& c : w) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    out.push_back(w);
  }
  return out;
}

}  // namespace

TransactionVerb transaction_verb(std::string_view text) {
  auto w = leading_words(text, 2);
  if (w.empty()) return TransactionVerb::none;
  const std::string second = w.size() > 1 ? w[1] : "";
  if (w[0] == "BEGIN" || (w[0] == "START" && second == "TRANSACTION")) return TransactionVerb::begin;
  if (w[0] == "PREPARE" && second == "TRANSACTION") return TransactionVerb::prepared;
  if (w[0] == "COMMIT" || w[0] == "END") {
    return second == "PREPARED" ? TransactionVerb::prepared : TransactionVerb::commit;
  }
  if (w[0] == "ROLLBACK" || w[0] == "ABORT") {
    if (second == "PREPARED") return TransactionVerb::prepared;
    // ROLLBACK [WORK|TRANSACTION] TO [SAVEPOINT] x is no end of the transaction.
    auto more = leading_words(text, 3);
    bool to = second == "TO" || (more.size() > 2 && more[2] == "TO");
    return to ? TransactionVerb::none : TransactionVerb::rollback;
  }
  return TransactionVerb::none;
}

std::optional<std::string> read_test_file(const fs::path& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct PsqlFileRun::Source {
  fs::path path;
  std::string display;
  std::string text;
};

PsqlFileRun::PsqlFileRun(pg::Session& session, PsqlFileEnv env, TapParser& parser)
    : session_(session), env_(std::move(env)), parser_(parser), state_(connection_variables(session)) {}

std::optional<SqlFailure> PsqlFileRun::run(const fs::path& path, const std::string& source) {
  Source src{path, env_.display(path), source};
  std::optional<SqlFailure> failure = run_source(src, 0);
  if (in_transaction_) end_transaction(false);  // psql exits: the server rolls back
  return failure;
}

std::optional<SqlFailure> PsqlFileRun::run_source(const Source& src, int depth) {
  PsqlScanner scanner(src.text);
  while (!quit_) {
    throw_if_interrupted();
    PsqlItem item = scanner.next(state_.variables());
    if (item.kind == PsqlItem::Kind::end) break;
    std::optional<SqlFailure> failure = item.kind == PsqlItem::Kind::query
                                            ? settle(send(src, item.query, std::nullopt))
                                            : meta(src, scanner, item, depth);
    if (failure) return failure;
  }
  return std::nullopt;
}

// psql goes on after an error unless ON_ERROR_STOP is set (pg_prove sets it); a meta-command
// migsafe cannot run stops the file whatever the setting.
std::optional<SqlFailure> PsqlFileRun::settle(std::optional<SqlFailure> failure) {
  if (!failure) return std::nullopt;
  if (must_stop_ || state_.stop_on_error()) return failure;
  ignored_.push_back(*failure);
  return std::nullopt;
}

namespace {

SqlFailure meta_failure(const std::string& display, const std::string& source, size_t offset,
                        const std::string& message) {
  SqlFailure f;
  f.message = message;
  f.file = display;
  sql::Position at = sql::position_at(source, offset);
  f.line = at.line;
  f.column = at.column;
  const size_t end = source.find('\n', offset);
  f.statement = util::truncate_chars(source.substr(offset, end == std::string::npos ? end : end - offset), 200);
  return f;
}

}  // namespace

std::optional<SqlFailure> PsqlFileRun::meta(const Source& src, PsqlScanner& scanner, const PsqlItem& item,
                                            int depth) {
  const std::string& cmd = item.command;
  auto fail = [&](const std::string& message, bool fatal) {
    must_stop_ = must_stop_ || fatal;
    return settle(meta_failure(src.display, src.text, item.offset, message));
  };
  if (!item.problem.empty()) return fail("\\" + cmd + ": " + item.problem, true);
  if (cmd == "g" || cmd == "gset") {
    if (cmd == "g" && !item.args.empty()) return fail("\\g with an output file or pipe is not supported in test files", true);
    PsqlQuery query = scanner.take_buffer();
    if (!query.has_sql) query = last_query_;
    if (!query.has_sql) return std::nullopt;
    return settle(send(src, query, cmd == "gset" ? std::optional<std::string>(item.args.empty() ? "" : item.args[0])
                                                 : std::nullopt));
  }
  if (cmd == "i" || cmd == "include" || cmd == "ir" || cmd == "include_relative") {
    return include(src, item, depth);
  }
  if (cmd == "q" || cmd == "quit") {
    quit_ = true;
    return std::nullopt;
  }
  MetaOutcome out = state_.run(cmd, item.args);
  if (!out.known) {
    return fail("\\" + cmd + " is not supported in test files (migsafe runs \\set, \\unset, \\gset, \\g, \\i, \\ir, "
                "\\echo, \\qecho, \\pset, \\t, \\x, \\a, \\q as psql does)", true);
  }
  parser_.add_text(out.output);
  if (!out.error.empty()) return fail("\\" + cmd + ": " + out.error, false);
  return std::nullopt;
}

std::optional<SqlFailure> PsqlFileRun::include(const Source& src, const PsqlItem& item, int depth) {
  auto fail = [&](const std::string& message, bool fatal) {
    must_stop_ = must_stop_ || fatal;
    return settle(meta_failure(src.display, src.text, item.offset, message));
  };
  if (item.args.empty()) return fail("\\" + item.command + ": missing required argument", false);
  if (depth + 1 >= kMaxIncludeDepth) return fail("\\" + item.command + ": files included too deeply (a loop?)", true);
  fs::path path(item.args[0]);
  const bool relative = item.command == "ir" || item.command == "include_relative";
  if (path.is_relative()) path = (relative ? src.path.parent_path() : env_.include_dir) / path;
  std::string error;
  std::optional<std::string> text = read_test_file(path, error);
  if (!text) return fail(path.string() + ": " + error, false);
  return run_source(Source{path, env_.display(path), *text}, depth + 1);
}

std::optional<SqlFailure> PsqlFileRun::send(const Source& src, const PsqlQuery& query,
                                            const std::optional<std::string>& gset) {
  last_query_ = query;
  switch (transaction_verb(query.text)) {
    case TransactionVerb::begin:
      if (!in_transaction_) session_.exec("SAVEPOINT migsafe_file_tx");
      in_transaction_ = true;
      return std::nullopt;
    case TransactionVerb::commit:
      if (in_transaction_) end_transaction(!aborted_);
      return std::nullopt;
    case TransactionVerb::rollback:
      if (in_transaction_) end_transaction(false);
      return std::nullopt;
    case TransactionVerb::prepared: {
      must_stop_ = true;
      pg::SqlError e{"0A000", "two-phase commit cannot run inside migsafe's test transaction", "", "", "", 0};
      return failure_at(e, src.text, query.offset, query.text, src.display);
    }
    case TransactionVerb::none:
      break;
  }
  pg::Rows rows;
  if (auto error = execute(query.text, rows)) {
    state_.set("ERROR", "true");
    state_.set("SQLSTATE", error->sqlstate);
    state_.set("LAST_ERROR_MESSAGE", error->message);
    state_.set("LAST_ERROR_SQLSTATE", error->sqlstate);
    size_t at = error->position > 0 ? sql::byte_offset_of_char(query.text, error->position) : 0;
    return failure_at(*error, src.text, query.source_offset(at), query.text, src.display);
  }
  if (creates_pgtap(query.text)) put_pgtap_on_path(session_);
  state_.set("ERROR", "false");
  state_.set("SQLSTATE", "00000");
  state_.set("ROW_COUNT", std::to_string(rows.rows.size()));
  if (!gset) {
    parser_.add_text(state_.print(rows));
    return std::nullopt;
  }
  if (rows.rows.size() != 1) {
    pg::SqlError e{"", rows.rows.empty() ? "no rows returned for \\gset" : "more than one row returned for \\gset",
                   "", "", "", 0};
    return failure_at(e, src.text, query.offset, query.text, src.display);
  }
  for (size_t c = 0; c < rows.columns.size(); ++c) state_.set(*gset + rows.columns[c], rows.rows[0][c]);
  return std::nullopt;
}

// A statement outside the file's transaction commits alone: in a savepoint of its own, so that a
// failure undoes only it. Inside the file's transaction a failure aborts that transaction, as on
// the server (unless ON_ERROR_ROLLBACK is on, which gives each statement a savepoint too).
std::optional<pg::SqlError> PsqlFileRun::execute(const std::string& text, pg::Rows& rows) {
  const bool own_savepoint = !in_transaction_ || state_.rollback_statement_on_error();
  if (own_savepoint) session_.exec("SAVEPOINT migsafe_statement");
  pg::Session::Outcome out = session_.run(text);
  if (out.error) {
    if (own_savepoint) {
      session_.exec("ROLLBACK TO SAVEPOINT migsafe_statement; RELEASE SAVEPOINT migsafe_statement");
    } else {
      aborted_ = true;
    }
    return out.error;
  }
  if (own_savepoint) session_.exec("RELEASE SAVEPOINT migsafe_statement");
  auto w = leading_words(text, 2);
  if (aborted_ && w.size() == 2 && w[0] == "ROLLBACK") aborted_ = false;  // ROLLBACK TO recovers it
  rows = std::move(out.rows);
  return std::nullopt;
}

void PsqlFileRun::end_transaction(bool commit) {
  session_.exec(commit ? "RELEASE SAVEPOINT migsafe_file_tx"
                       : "ROLLBACK TO SAVEPOINT migsafe_file_tx; RELEASE SAVEPOINT migsafe_file_tx");
  in_transaction_ = aborted_ = false;
}

}  // namespace migsafe::checks
