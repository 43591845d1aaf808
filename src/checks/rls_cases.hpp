// The dynamic RLS checks: `[[rls.case]]` queries run as an API role with JWT claims, and the
// built-in default_deny check. Every check runs in a (sub)transaction that is rolled back, so
// nothing it does survives.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "checks/rls_lints.hpp"
#include "config/pipeline.hpp"
#include "pg/session.hpp"

namespace migsafe::checks {

// What one check did.
struct CaseResult {
  std::string name;            // the case's name, or "default_deny: <schema.table>"
  std::string role;            // the role it ran as
  bool passed = false;         // the outcome matched the expectation
  std::string expected;        // e.g. "1", "2 rows", "error 42501"
  std::string actual;          // what happened, in the same terms
  std::string error_sqlstate;  // the error the query raised, if any
  std::string error_message;   // its message
  // {name, role, passed, expected, actual, error: {sqlstate, message} or null}.
  nlohmann::json to_json() const;
};

// Runs each of `cases`: in a transaction that is rolled back (a savepoint when
// `inside_transaction`, i.e. inside the run's atomic transaction), its `setup` as the session
// user, then its `sql` as its role with its claims; compares with its one expectation. A case whose
// SQL would end the transaction is refused (failed). Throws pg::QueryError only when the
// transaction cannot be opened or rolled back (e.g. the connection was lost). When the session is
// already in a transaction, savepoints are used whatever `inside_transaction` says.
std::vector<CaseResult> run_rls_cases(pg::Session& session,
                                      const std::vector<config::RlsCase>& cases,
                                      bool inside_transaction);

// For each table in `options.exposed_schemas` not listed as public: as `anon` without claims,
// SELECT must see 0 rows (or be refused) even when the table has a row — one is inserted as the
// session user first when it can be — and INSERT ... DEFAULT VALUES must fail. One result per
// table, named "default_deny: <schema.table>". Same transaction rules as run_rls_cases.
std::vector<CaseResult> run_default_deny(pg::Session& session, const LintOptions& options,
                                         bool inside_transaction);

}  // namespace migsafe::checks
