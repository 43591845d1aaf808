// `[[verify.assert]]`: queries that must return true, or the value the pipeline expects. Each runs
// in its own transaction (or savepoint) that is rolled back, so an assertion changes nothing.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/sql_failure.hpp"
#include "config/pipeline.hpp"
#include "pg/session.hpp"

namespace migsafe::checks {

// What one assertion found.
struct AssertionResult {
  std::string name;      // the assertion's name
  bool passed = false;   // its query returned the expected single value
  std::string expected;  // what it had to return, e.g. "true", "0", "draft"
  std::string actual;    // what it returned, as PostgreSQL prints it ("true"/"false" for a
                         // boolean expectation); "2 rows", "no rows", "null" and the like
  std::optional<SqlFailure> error;  // the query's error; line and column count within its `sql`
  // {name, status ("passed" | "failed"), passed, expected, actual, error (null when none)}.
  nlohmann::json to_json() const;
};

// Runs `asserts` in order; every one runs, whatever the others did. Each query must return one row
// of one column; without `expect` the value must be boolean true. Uses savepoints when
// `inside_transaction` (or when `session` is in a transaction), else BEGIN/ROLLBACK. Throws
// pg::QueryError only when the rollback itself fails (e.g. the connection was lost).
std::vector<AssertionResult> run_assertions(pg::Session& session,
                                            const std::vector<config::Assertion>& asserts,
                                            bool inside_transaction);

// Whether `actual` (a value as PostgreSQL prints it) is `expect`: booleans match "t"/"f" and
// "true"/"false", numbers compare numerically ("1.0" is 1), text compares exactly.
bool matches_expected(const config::ExpectedValue& expect, std::string_view actual);

}  // namespace migsafe::checks
