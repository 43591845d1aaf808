#include "checks/assertions.hpp"
#include "core/error.hpp"

#include <cerrno>
#include <cstdlib>

#include "sql/transaction_safety.hpp"
#include "util/interrupt.hpp"
#include "util/utf8.hpp"

namespace migsafe::checks {
namespace {

using Kind = config::ExpectedValue::Kind;

constexpr const char* kSavepoint = "migsafe_assert";

// "true"/"false" for PostgreSQL's boolean spellings, else nullopt.
std::optional<std::string> as_boolean(std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (lower == "t" || lower == "true") return "true";
  if (lower == "f" || lower == "false") return "false";
  return std::nullopt;
}

// `text` as a whole number, if it is one.
std::optional<long long> as_integer(const std::string& text) {
  if (text.empty() || text.find_first_of(".eE") != std::string::npos) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return std::nullopt;
  return value;
}

std::optional<double> as_real(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (*end != '\0') return std::nullopt;
  return value;
}

bool numbers_equal(const std::string& expected, const std::string& actual) {
  auto ei = as_integer(expected), ai = as_integer(actual);
  if (ei && ai) return *ei == *ai;
  auto er = as_real(expected), ar = as_real(actual);
  return er && ar && *er == *ar;
}

std::string expected_text(const config::Assertion& a) {
  return a.expect ? a.expect->text : "true";
}

bool boolean_expected(const config::Assertion& a) {
  return !a.expect || a.expect->kind == Kind::boolean;
}

// The single value of `rows`, or a description of why there is none in `result.actual`.
std::optional<std::string> single_value(const pg::Rows& rows, AssertionResult& result) {
  if (rows.rows.size() != 1) {
    result.actual = rows.rows.empty() ? "no rows" : std::to_string(rows.rows.size()) + " rows";
    return std::nullopt;
  }
  const pg::Row& row = rows.rows.front();
  if (row.size() != 1) {
    result.actual = "a row of " + std::to_string(row.size()) + " columns: (";
    for (size_t i = 0; i < row.size(); ++i)
      result.actual += (i ? ", " : "") + row[i].value_or("null");
    result.actual += ")";
    return std::nullopt;
  }
  if (!row.front()) result.actual = "null";
  return row.front();
}

void judge(const config::Assertion& a, const pg::Rows& rows, AssertionResult& result) {
  std::optional<std::string> value = single_value(rows, result);
  if (!value) return;
  auto boolean = as_boolean(*value);
  result.actual = boolean_expected(a) && boolean ? *boolean : *value;
  result.passed = a.expect ? matches_expected(*a.expect, *value)
                           : boolean == std::optional<std::string>("true");
}

void rollback(pg::Session& session, bool savepoint) {
  std::string sql = savepoint ? std::string("ROLLBACK TO SAVEPOINT ") + kSavepoint +
                                    "; RELEASE SAVEPOINT " + kSavepoint
                              : "ROLLBACK";
  if (auto error = session.run(sql).error) throw pg::QueryError(*error);
}

// An assertion may not end the transaction it runs in (that could commit a run's migrations).
std::optional<SqlFailure> transaction_control_in(const config::Assertion& a) {
  for (const auto& statement : sql::split(a.sql)) {
    if (!sql::is_transaction_control(statement.text)) continue;
    return SqlFailure{
        "",
        "transaction control (BEGIN, COMMIT, ROLLBACK, ...) is not allowed in an assertion",
        "",
        "",
        "",
        util::truncate_chars(statement.text, 200),
        "",
        statement.line,
        statement.column};
  }
  return std::nullopt;
}

AssertionResult run_one(pg::Session& session, const config::Assertion& a, bool savepoint) {
  AssertionResult result;
  result.name = a.name;
  result.expected = expected_text(a);
  if ((result.error = transaction_control_in(a))) {
    result.actual = "error: " + result.error->message;
    return result;
  }
  if (auto error =
          session.run(savepoint ? std::string("SAVEPOINT ") + kSavepoint : "BEGIN").error) {
    throw pg::QueryError(*error);
  }
  pg::Session::Outcome out = session.run(a.sql);
  rollback(session, savepoint);
  if (out.error) {
    result.error = locate_failure(*out.error, a.sql, sql::Statement{a.sql, 0, 1, 1}, "");
    result.actual = "error: " + out.error->message;
  } else {
    judge(a, out.rows, result);
  }
  return result;
}

}  // namespace

nlohmann::json AssertionResult::to_json() const {
  return nlohmann::json{{"name", name},     {"status", passed ? "passed" : "failed"},
                        {"passed", passed}, {"expected", expected},
                        {"actual", actual}, {"error", error ? error->to_json() : nlohmann::json()}};
}

bool matches_expected(const config::ExpectedValue& expect, std::string_view actual) {
  switch (expect.kind) {
    case Kind::boolean:
      return as_boolean(actual) == std::optional<std::string>(expect.text);
    case Kind::integer:
    case Kind::real:
      return numbers_equal(expect.text, std::string(actual));
    case Kind::text:
      break;
  }
  if (actual == expect.text) return true;
  auto boolean = as_boolean(actual);
  return boolean && (actual == "t" || actual == "f") && *boolean == expect.text;
}

std::vector<AssertionResult> run_assertions(pg::Session& session,
                                            const std::vector<config::Assertion>& asserts,
                                            bool inside_transaction) {
  bool savepoint = inside_transaction || session.in_transaction();
  std::vector<AssertionResult> results;
  for (const auto& a : asserts) {
    throw_if_interrupted();
    results.push_back(run_one(session, a, savepoint));
  }
  return results;
}

}  // namespace migsafe::checks
