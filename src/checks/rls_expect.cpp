#include "checks/rls_expect.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace migsafe::checks {
namespace {

std::optional<long double> number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  long double value = std::strtold(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text;
}

bool looks_like_sqlstate(const std::string& text) {
  return text.size() == 5 && std::all_of(text.begin(), text.end(), [](unsigned char c) {
           return std::isdigit(c) || std::isupper(c);
         });
}

std::string error_text(const pg::SqlError& error) {
  return "error " + error.sqlstate + ": " + error.message;
}

// What a query that succeeded returned, for `actual`: its single value, or its row count.
std::string success_text(const config::RlsCase& rls_case, const pg::Rows& rows) {
  bool single = rows.rows.size() == 1 && rows.columns.size() == 1;
  if (rls_case.expect && single) return rows.rows[0][0].value_or("NULL");
  return rows_text(rows.rows.size());
}

}  // namespace

bool value_matches(const config::ExpectedValue& expected,
                   const std::optional<std::string>& actual) {
  if (!actual) return false;
  using Kind = config::ExpectedValue::Kind;
  switch (expected.kind) {
    case Kind::boolean: {
      std::string a = lower(*actual);
      bool truth = expected.text == "true";
      return truth ? (a == "t" || a == "true") : (a == "f" || a == "false");
    }
    case Kind::integer:
    case Kind::real: {
      auto a = number(*actual);
      auto e = number(expected.text);
      return a && e && *a == *e;
    }
    case Kind::text:
      break;
  }
  return *actual == expected.text;
}

bool error_matches(const std::string& expected, const pg::SqlError& error) {
  if (looks_like_sqlstate(expected)) return error.sqlstate == expected;
  return lower(error.message).find(lower(expected)) != std::string::npos;
}

std::string rows_text(size_t count) {
  return std::to_string(count) + (count == 1 ? " row" : " rows");
}

std::string describe_expectation(const config::RlsCase& rls_case) {
  if (rls_case.expect_error) {
    return looks_like_sqlstate(*rls_case.expect_error)
               ? "error " + *rls_case.expect_error
               : "error containing \"" + *rls_case.expect_error + "\"";
  }
  if (rls_case.expect_rows) return rows_text(static_cast<size_t>(*rls_case.expect_rows));
  if (rls_case.expect) return rls_case.expect->text;
  return "";
}

void judge(const config::RlsCase& rls_case, const pg::Session::Outcome& outcome,
           CaseResult& result) {
  result.expected = describe_expectation(rls_case);
  if (outcome.error) {
    result.error_sqlstate = outcome.error->sqlstate;
    result.error_message = outcome.error->message;
    result.actual = error_text(*outcome.error);
    result.passed = rls_case.expect_error && error_matches(*rls_case.expect_error, *outcome.error);
    return;
  }
  const pg::Rows& rows = outcome.rows;
  result.actual = success_text(rls_case, rows);
  if (rls_case.expect_error) {
    result.actual = "succeeded (" + rows_text(rows.rows.size()) + ")";
  } else if (rls_case.expect_rows) {
    result.passed = static_cast<std::int64_t>(rows.rows.size()) == *rls_case.expect_rows;
  } else if (rls_case.expect) {
    bool single = rows.rows.size() == 1 && rows.columns.size() == 1;
    result.passed = single && value_matches(*rls_case.expect, rows.rows[0][0]);
  }
}

}  // namespace migsafe::checks
