// Comparing what an RLS case's query did with what the case expects.
#pragma once

#include <optional>
#include <string>

#include "checks/rls_cases.hpp"
#include "config/pipeline.hpp"
#include "pg/session.hpp"

namespace migsafe::checks {

// Whether PostgreSQL's text `actual` is `expected`: booleans as 't'/'f' or 'true'/'false', numbers
// numerically ("1.0" is 1), text exactly; NULL matches nothing.
bool value_matches(const config::ExpectedValue& expected, const std::optional<std::string>& actual);

// Whether `error` is the one `expected` names: a SQLSTATE ("42501") matches the error's code,
// anything else is a case-insensitive substring of its message.
bool error_matches(const std::string& expected, const pg::SqlError& error);

// The expectation of `rls_case` as CaseResult::expected shows it.
std::string describe_expectation(const config::RlsCase& rls_case);

// "1 row", "3 rows".
std::string rows_text(size_t count);

// Fills `result`'s passed, actual and error fields from what `rls_case`'s query did.
void judge(const config::RlsCase& rls_case, const pg::Session::Outcome& outcome,
           CaseResult& result);

}  // namespace migsafe::checks
