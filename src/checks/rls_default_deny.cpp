// default_deny: what signed-out users (anon, no claims) can do with each exposed table. A table
// that is empty proves nothing by showing 0 rows, so a row is inserted first as the session user
// (when its defaults and constraints allow one); everything is rolled back.
#include <utility>

#include "checks/rls_case_scope.hpp"
#include "checks/rls_cases.hpp"
#include "checks/rls_expect.hpp"
#include "checks/rls_lint_sql.hpp"

namespace migsafe::checks {
namespace {

constexpr const char* kExpected = "SELECT sees 0 rows, INSERT is denied";

// The exposed tables that are not public: (schema.table, quoted name).
std::vector<std::pair<std::string, std::string>> tables_to_check(pg::Session& session,
                                                                 const LintOptions& options) {
  pg::Rows rows = session.query(
      std::string(kLintPrelude) +
          "select r.name, format('%I.%I', r.nspname, r.relname) from rels r cross join opts o "
          "where r.relkind in ('r', 'p') and r.exposed and not r.internal and not r.ext_member "
          "and r.name <> all(o.public_tables) order by r.name",
      lint_params(options));
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& row : rows.rows) out.emplace_back(row[0].value_or(""), row[1].value_or(""));
  return out;
}

// Inserts one row as the session user under a savepoint of its own, so a failure changes nothing.
void seed_row(pg::Session& session, const std::string& table) {
  session.exec("SAVEPOINT migsafe_rls_seed");
  if (session.run("INSERT INTO " + table + " DEFAULT VALUES").error) {
    session.exec("ROLLBACK TO SAVEPOINT migsafe_rls_seed");
  }
  session.exec("RELEASE SAVEPOINT migsafe_rls_seed");
}

// Runs `sql` as anon in its own rolled-back scope (after seeding `table` when `seed`).
pg::Session::Outcome as_anon(pg::Session& session, bool savepoint, const std::string& table,
                             const std::string& sql, bool seed) {
  RollbackScope scope(session, savepoint);
  if (seed) seed_row(session, table);
  pg::Session::Outcome outcome;
  outcome.error = act_as(session, "anon", std::nullopt);
  if (!outcome.error) outcome = session.run(sql);
  scope.close();
  return outcome;
}

// SELECT is fine when it sees no row or is refused outright.
bool select_denied(const pg::Session::Outcome& outcome, std::string& actual) {
  if (outcome.error) {
    actual = "SELECT refused (" + outcome.error->sqlstate + ": " + outcome.error->message + ")";
    return outcome.error->sqlstate == "42501";
  }
  std::string count = outcome.rows.scalar().value_or("0");
  actual = "SELECT sees " + count + (count == "1" ? " row" : " rows");
  return count == "0";
}

CaseResult check_table(pg::Session& session, bool savepoint, const std::string& name,
                       const std::string& table) {
  CaseResult result;
  result.name = "default_deny: " + name;
  result.role = "anon";
  result.expected = kExpected;
  auto select = as_anon(session, savepoint, table, "select count(*) from " + table, true);
  auto insert =
      as_anon(session, savepoint, table, "INSERT INTO " + table + " DEFAULT VALUES", false);
  std::string select_actual;
  bool select_ok = select_denied(select, select_actual);
  std::string insert_actual =
      insert.error ? "INSERT denied (" + insert.error->sqlstate + ": " + insert.error->message + ")"
                   : "INSERT succeeded";
  result.passed = select_ok && insert.error.has_value();
  result.actual = select_actual + ", " + insert_actual;
  if (select.error && !select_ok) {
    result.error_sqlstate = select.error->sqlstate;
    result.error_message = select.error->message;
  }
  return result;
}

}  // namespace

std::vector<CaseResult> run_default_deny(pg::Session& session, const LintOptions& options,
                                         bool inside_transaction) {
  const bool savepoint = inside_transaction || session.in_transaction();
  std::vector<CaseResult> results;
  for (const auto& [name, table] : tables_to_check(session, options)) {
    results.push_back(check_table(session, savepoint, name, table));
  }
  return results;
}

}  // namespace migsafe::checks
