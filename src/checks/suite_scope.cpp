// Between files a fresh psql session is imitated inside the one transaction: RESET SESSION
// AUTHORIZATION and ROLE, CLOSE ALL, DEALLOCATE ALL, UNLISTEN *, DISCARD TEMP (which also drops
// pgTAP's own temporary tables, so the next file may plan again), then every user-settable
// setting is put back to the value the suite started with. DISCARD ALL would do most of it, but it
// cannot run in a transaction block. GUC changes are transactional, so the final rollback also
// undoes what the reset itself set.
#include "checks/suite_scope.hpp"

#include <cctype>
#include <cstring>

#include "sql/splitter.hpp"

namespace migsafe::checks {
namespace {

constexpr const char* kSuiteSavepoint = "migsafe_suite";

// Settings a new session would start with, which a file may change with SET or set_config.
constexpr const char* kSettingsSql =
    "select name, setting from pg_catalog.pg_settings where context in ('user', 'superuser') and name not in "
    "('role', 'session_authorization', 'transaction_isolation', 'transaction_read_only', "
    "'transaction_deferrable', 'is_superuser') order by name";

constexpr const char* kResetSql =
    "RESET SESSION AUTHORIZATION; RESET ROLE; CLOSE ALL; DEALLOCATE ALL; UNLISTEN *; DISCARD TEMP";

// Puts back settings that differ from the start, and empties custom ones a file introduced (a new
// session would not have them at all; empty is the closest a session can come).
constexpr const char* kRestoreSql =
    "select count(pg_catalog.set_config(b.name, b.setting, false)) "
    "from rows from (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[])) as b(name, setting) "
    "join pg_catalog.pg_settings s on s.name = b.name where s.setting is distinct from b.setting";
// Custom settings (placeholders such as request.jwt.claims) are not in pg_settings, so the ones a
// file may have set are named: Supabase's request.* settings, and any `SET x.y` or
// `set_config('x.y'` in the files' text (function bodies included).
constexpr const char* kForgetSql =
    "select count(pg_catalog.set_config(n, '', false)) from pg_catalog.unnest($1::text[]) as n "
    "where pg_catalog.current_setting(n, true) <> ''";

const char* const kSupabaseSettings[] = {"request.jwt.claims", "request.jwt.claim.sub", "request.jwt.claim.role",
                                         "request.jwt.claim.email", "request.method", "request.path",
                                         "request.headers", "request.cookies"};

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

// A custom setting's name starting at `text[i]`, or "" when there is none (it needs a dot).
std::string custom_name_at(const std::string& text, size_t i) {
  size_t end = i;
  while (end < text.size() && is_name_char(text[end])) ++end;
  std::string name = text.substr(i, end - i);
  return name.find('.') != std::string::npos && name.front() != '.' && name.back() != '.' ? name : "";
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    out += i ? ",\"" : "\"";
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::optional<std::string> pgtap_schema(pg::Session& session) {
  return session
      .query("select n.nspname from pg_catalog.pg_extension e "
             "join pg_catalog.pg_namespace n on n.oid = e.extnamespace where e.extname = 'pgtap'")
      .scalar();
}

SqlFailure setup_failure(const pg::SqlError& error, const std::string& what) {
  SqlFailure f;
  f.sqlstate = error.sqlstate;
  f.message = what + ": " + error.message;
  f.detail = error.detail;
  f.hint = error.hint;
  f.context = error.context;
  if (error.sqlstate == "0A000" || error.sqlstate == "58P01") {
    f.hint = "install pgTAP on the database server (Debian/Ubuntu: postgresql-<version>-pgtap)";
  }
  return f;
}

}  // namespace

bool creates_pgtap(std::string_view statement) {
  std::vector<std::string_view> t;
  for (sql::Token k = sql::next_token(statement, 0); k.kind != sql::TokenKind::end && t.size() < 6;
       k = sql::next_token(statement, k.offset + k.text.size())) {
    if (k.kind != sql::TokenKind::comment) t.push_back(k.text);
  }
  if (t.size() < 3 || !sql::is_keyword(t[0], "CREATE") || !sql::is_keyword(t[1], "EXTENSION")) return false;
  size_t name = 2;
  if (t.size() >= 6 && sql::is_keyword(t[2], "IF") && sql::is_keyword(t[3], "NOT")) name = 5;
  if (name >= t.size()) return false;
  return sql::is_keyword(t[name], "PGTAP") || t[name] == "\"pgtap\"";
}

// pgTAP's functions are found through the search_path, as under Supabase (extensions is on it).
void put_pgtap_on_path(pg::Session& session) {
  std::optional<std::string> schema = pgtap_schema(session);
  if (!schema) return;
  const std::string literal = session.quote(*schema);
  const std::string quoted = session.quote(session.quote_name(*schema));
  const std::string current = "pg_catalog.current_setting('search_path')";
  session.exec("select pg_catalog.set_config('search_path', case when " + current + " = '' then " + quoted +
               " else " + current + " || ', ' || " + quoted + " end, false) where not " + literal +
               " = any(pg_catalog.current_schemas(false))");
}

SuiteScope::SuiteScope(pg::Session& session, std::string pgtap_schema_name)
    : session_(session), savepoint_(session.in_transaction()), pgtap_schema_(std::move(pgtap_schema_name)) {
  custom_.insert(std::begin(kSupabaseSettings), std::end(kSupabaseSettings));
  session_.exec(savepoint_ ? std::string("SAVEPOINT ") + kSuiteSavepoint : "BEGIN");
  for (const auto& row : session_.query(kSettingsSql).rows) {
    names_.push_back(row[0].value_or(""));
    values_.push_back(row[1].value_or(""));
  }
}

std::optional<SqlFailure> SuiteScope::prepare_file(bool file_creates_pgtap) {
  if (!pgtap_schema(session_) && !file_creates_pgtap) {
    const std::string name = session_.quote_name(pgtap_schema_);
    session_.exec("SAVEPOINT migsafe_pgtap");
    auto error = session_.try_exec("DO $migsafe$ BEGIN IF to_regnamespace(" + session_.quote(name) +
                                   ") IS NULL THEN CREATE SCHEMA " + name + "; GRANT USAGE ON SCHEMA " + name +
                                   " TO PUBLIC; END IF; END $migsafe$; CREATE EXTENSION pgtap SCHEMA " + name);
    session_.exec(error ? "ROLLBACK TO SAVEPOINT migsafe_pgtap; RELEASE SAVEPOINT migsafe_pgtap"
                        : "RELEASE SAVEPOINT migsafe_pgtap");
    if (error) return setup_failure(*error, "cannot create extension pgtap");
  }
  put_pgtap_on_path(session_);
  return std::nullopt;
}

SuiteScope::~SuiteScope() {
  if (open_) session_.run(rollback_sql());
}

std::string SuiteScope::between_files() {
  session_.exec("SAVEPOINT migsafe_reset");
  pg::Session::Outcome out = session_.run(kResetSql);
  if (!out.error) {
    try {
      session_.query(kRestoreSql, {array_literal(names_), array_literal(values_)});
      session_.query(kForgetSql, {array_literal(std::vector<std::string>(custom_.begin(), custom_.end()))});
    } catch (const pg::QueryError& e) {
      out.error = e.error();
    }
  }
  session_.exec(out.error ? "ROLLBACK TO SAVEPOINT migsafe_reset; RELEASE SAVEPOINT migsafe_reset"
                          : "RELEASE SAVEPOINT migsafe_reset");
  return out.error ? "could not reset the session between test files: " + out.error->message : "";
}

void SuiteScope::note_custom_settings(std::string_view source) {
  const std::string text = lower(source);
  for (size_t at = text.find("set_config"); at != std::string::npos; at = text.find("set_config", at + 1)) {
    size_t i = at + 10;
    while (i < text.size() && (std::isspace(static_cast<unsigned char>(text[i])) || text[i] == '(')) ++i;
    if (i < text.size() && text[i] == '\'') {
      std::string name = custom_name_at(text, i + 1);
      if (!name.empty()) custom_.insert(name);
    }
  }
  for (size_t at = text.find("set"); at != std::string::npos; at = text.find("set", at + 1)) {
    if (at > 0 && is_name_char(text[at - 1])) continue;
    size_t i = at + 3;
    auto skip_space = [&] { while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i; };
    if (i >= text.size() || !std::isspace(static_cast<unsigned char>(text[i]))) continue;
    skip_space();
    for (const char* scope : {"local", "session"}) {
      const size_t n = std::strlen(scope);
      if (text.compare(i, n, scope) == 0 && i + n < text.size() && std::isspace(static_cast<unsigned char>(text[i + n]))) {
        i += n;
        skip_space();
      }
    }
    std::string name = custom_name_at(text, i);
    if (!name.empty()) custom_.insert(name);
  }
}

std::string SuiteScope::rollback_sql() const {
  if (!savepoint_) return "ROLLBACK";
  return std::string("ROLLBACK TO SAVEPOINT ") + kSuiteSavepoint + "; RELEASE SAVEPOINT " + kSuiteSavepoint;
}

void SuiteScope::close() {
  open_ = false;
  session_.exec(rollback_sql());
}

}  // namespace migsafe::checks
