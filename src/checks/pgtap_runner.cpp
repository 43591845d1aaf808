#include "checks/pgtap_runner.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include "sql/splitter.hpp"
#include "sql/transaction_safety.hpp"
#include "util/interrupt.hpp"

namespace migsafe::checks {
namespace fs = std::filesystem;
namespace {

constexpr const char* kSavepoint = "migsafe_test_file";

// How the runner isolates one file: its own transaction, or a savepoint in the caller's.
class FileScope {
 public:
  FileScope(pg::Session& session, bool savepoint) : session_(session), savepoint_(savepoint) {
    if (auto error =
            session_.run(savepoint_ ? std::string("SAVEPOINT ") + kSavepoint : "BEGIN").error) {
      throw pg::QueryError(*error);
    }
  }
  // Rolls the file back; throws when that fails (the caller's transaction may be lost).
  void close() {
    open_ = false;
    if (auto error = session_.run(rollback_sql()).error) throw pg::QueryError(*error);
  }
  ~FileScope() {
    if (open_) session_.run(rollback_sql());
  }
  FileScope(const FileScope&) = delete;
  FileScope& operator=(const FileScope&) = delete;

 private:
  std::string rollback_sql() const {
    if (!savepoint_) return "ROLLBACK";
    return std::string("ROLLBACK TO SAVEPOINT ") + kSavepoint + "; RELEASE SAVEPOINT " + kSavepoint;
  }
  pg::Session& session_;
  bool savepoint_;
  bool open_ = true;
};

std::string display_path(const fs::path& path, const std::string& root) {
  if (root.empty()) return path.string();
  fs::path relative = path.lexically_normal().lexically_relative(fs::path(root).lexically_normal());
  if (relative.empty() || relative.native().rfind("..", 0) == 0) return path.string();
  return relative.string();
}

std::optional<std::string> read_source(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The first `n` tokens of `text` that are not comments.
std::vector<sql::Token> leading_tokens(std::string_view text, size_t n) {
  std::vector<sql::Token> out;
  for (sql::Token t = sql::next_token(text, 0); t.kind != sql::TokenKind::end && out.size() < n;
       t = sql::next_token(text, t.offset + t.text.size())) {
    if (t.kind != sql::TokenKind::comment) out.push_back(t);
  }
  return out;
}

// Whether `statement` is CREATE EXTENSION [IF NOT EXISTS] pgtap.
bool creates_pgtap(std::string_view statement) {
  auto t = leading_tokens(statement, 6);
  if (t.size() < 3 || !sql::is_keyword(t[0].text, "CREATE") ||
      !sql::is_keyword(t[1].text, "EXTENSION"))
    return false;
  size_t name = 2;
  if (t.size() >= 6 && sql::is_keyword(t[2].text, "IF") && sql::is_keyword(t[3].text, "NOT")) {
    name = 5;
  }
  if (name >= t.size()) return false;
  return sql::is_keyword(t[name].text, "PGTAP") || t[name].text == "\"pgtap\"";
}

// A failure while preparing pgTAP, before any of the file's statements ran.
SqlFailure setup_failure(const pg::SqlError& error, const std::string& file,
                         const std::string& what) {
  SqlFailure f;
  f.sqlstate = error.sqlstate;
  f.message = what + ": " + error.message;
  f.detail = error.detail;
  f.hint = error.hint;
  f.context = error.context;
  f.file = file;
  if (error.sqlstate == "0A000" || error.sqlstate == "58P01") {
    f.hint = "install pgTAP on the database server (Debian/Ubuntu: postgresql-<version>-pgtap)";
  }
  return f;
}

// Where pgTAP is installed, if it is.
std::optional<std::string> pgtap_schema(pg::Session& session) {
  auto out = session.run(
      "select n.nspname from pg_catalog.pg_extension e "
      "join pg_catalog.pg_namespace n on n.oid = e.extnamespace where e.extname = 'pgtap'");
  if (out.error) throw pg::QueryError(*out.error);
  return out.rows.scalar();
}

// Appends `schema` to the search_path until the file's (sub)transaction ends.
std::optional<pg::SqlError> add_to_search_path(pg::Session& session, const std::string& schema) {
  const std::string name = session.quote(session.quote_name(schema));
  const std::string current = "pg_catalog.current_setting('search_path')";
  return session
      .run("select pg_catalog.set_config('search_path', case when " + current + " = '' then " +
           name + " else " + current + " || ', ' || " + name + " end, true)")
      .error;
}

// Creates pgTAP in `schema` (and the schema, usable by all, when it is missing).
std::optional<pg::SqlError> create_pgtap(pg::Session& session, const std::string& schema) {
  const std::string name = session.quote_name(schema);
  return session
      .run("DO $migsafe$ BEGIN IF to_regnamespace(" + session.quote(name) +
           ") IS NULL THEN CREATE SCHEMA " + name + "; GRANT USAGE ON SCHEMA " + name +
           " TO PUBLIC; END IF; END $migsafe$; CREATE EXTENSION pgtap SCHEMA " + name)
      .error;
}

// Makes pgTAP usable by the file, inside its (sub)transaction so the rollback undoes it all.
// A file that creates pgTAP itself is left to do so (see run_statements).
std::optional<SqlFailure> prepare_pgtap(pg::Session& session, const PgtapOptions& options,
                                        const std::string& file, bool file_creates_it) {
  std::optional<std::string> schema = pgtap_schema(session);
  if (!schema && file_creates_it) return std::nullopt;
  if (!schema) {
    if (auto error = create_pgtap(session, options.pgtap_schema)) {
      return setup_failure(*error, file, "cannot create extension pgtap");
    }
    schema = options.pgtap_schema;
  }
  if (auto error = add_to_search_path(session, *schema)) {
    return setup_failure(*error, file, "cannot set search_path");
  }
  return std::nullopt;
}

// Reads `rows` as psql prints them for pg_prove (unaligned, tuples only): one line per row, its
// columns joined by '|', NULL as empty. So `select 'x', ok(true)` is no test, as under pg_prove.
void feed(const pg::Rows& rows, TapParser& parser) {
  for (const auto& row : rows.rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + row[i].value_or("");
    parser.add_text(line);
  }
}

// Runs the file's statements until the end or the first error.
std::optional<SqlFailure> run_statements(pg::Session& session, const std::string& source,
                                         const std::vector<sql::Statement>& statements,
                                         const std::string& file, TapParser& parser) {
  for (const auto& statement : statements) {
    util::throw_if_interrupted();
    if (sql::is_transaction_control(statement.text)) continue;
    pg::Session::Outcome out = session.run(statement.text);
    if (out.error) return locate_failure(*out.error, source, statement, file);
    feed(out.rows, parser);
    if (creates_pgtap(statement.text)) {
      if (auto schema = pgtap_schema(session)) {
        if (auto error = add_to_search_path(session, *schema)) {
          return locate_failure(*error, source, statement, file);
        }
      }
    }
  }
  return std::nullopt;
}

bool any_creates_pgtap(const std::vector<sql::Statement>& statements) {
  for (const auto& s : statements) {
    if (creates_pgtap(s.text)) return true;
  }
  return false;
}

// Runs one file in its own (sub)transaction.
void run_file(pg::Session& session, const fs::path& path, const PgtapOptions& options,
              TestFileResult& result) {
  std::optional<std::string> source = read_source(path);
  if (!source) {
    result.error = SqlFailure{};
    result.error->message = "cannot read test file: " + std::string(std::strerror(errno));
    result.error->file = result.file;
    return;
  }
  std::vector<sql::Statement> statements = sql::split(*source);
  FileScope scope(session, options.inside_transaction || session.in_transaction());
  TapParser parser;
  result.error = prepare_pgtap(session, options, result.file, any_creates_pgtap(statements));
  if (!result.error) {
    result.error = run_statements(session, *source, statements, result.file, parser);
  }
  result.tap = parser.finish();
  scope.close();
}

}  // namespace

bool TestFileResult::passed() const {
  return !error && tap.ok();
}

nlohmann::json TestFileResult::to_json() const {
  nlohmann::json out = {{"file", file}, {"status", passed() ? "passed" : "failed"}};
  out.update(tap.to_json());
  out["error"] = error ? error->to_json() : nlohmann::json();
  out["duration_ms"] = duration_ms;
  return out;
}

std::vector<TestFileResult> run_pgtap_files(pg::Session& session,
                                            const std::vector<fs::path>& files,
                                            const PgtapOptions& options) {
  std::vector<TestFileResult> results;
  for (const auto& path : files) {
    auto start = std::chrono::steady_clock::now();
    TestFileResult result;
    result.file = display_path(path, options.display_root);
    run_file(session, path, options, result);
    auto elapsed = std::chrono::steady_clock::now() - start;
    result.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace migsafe::checks
