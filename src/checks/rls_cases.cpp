#include "checks/rls_cases.hpp"

#include "checks/rls_case_scope.hpp"
#include "checks/rls_expect.hpp"

namespace migsafe::checks {
namespace {

void fail_with(CaseResult& result, const std::string& what, const pg::SqlError& error) {
  result.passed = false;
  result.actual = what + ": error " + error.sqlstate + ": " + error.message;
  result.error_sqlstate = error.sqlstate;
  result.error_message = error.message;
}

// Runs `rls_case` inside an open scope: setup as the session user, then the query as its role.
void run_in_scope(pg::Session& session, const config::RlsCase& rls_case, CaseResult& result) {
  if (rls_case.setup) {
    if (auto error = session.run(*rls_case.setup).error)
      return fail_with(result, "setup failed", *error);
  }
  if (auto error = act_as(session, rls_case.role, rls_case.claims_json)) {
    return fail_with(result, "could not act as " + rls_case.role, *error);
  }
  judge(rls_case, session.run(rls_case.sql), result);
}

CaseResult run_case(pg::Session& session, const config::RlsCase& rls_case, bool savepoint) {
  CaseResult result;
  result.name = rls_case.name;
  result.role = rls_case.role;
  result.expected = describe_expectation(rls_case);
  std::string refused = refusal_reason(rls_case.setup.value_or(""));
  if (refused.empty()) refused = refusal_reason(rls_case.sql);
  if (!refused.empty()) {
    result.actual = "not run: " + refused;
    return result;
  }
  RollbackScope scope(session, savepoint);
  run_in_scope(session, rls_case, result);
  scope.close();
  return result;
}

}  // namespace

nlohmann::json CaseResult::to_json() const {
  nlohmann::json error = nullptr;
  if (!error_sqlstate.empty() || !error_message.empty()) {
    error = {{"sqlstate", error_sqlstate}, {"message", error_message}};
  }
  return {{"name", name},         {"role", role},     {"passed", passed},
          {"expected", expected}, {"actual", actual}, {"error", error}};
}

std::vector<CaseResult> run_rls_cases(pg::Session& session,
                                      const std::vector<config::RlsCase>& cases,
                                      bool inside_transaction) {
  const bool savepoint = inside_transaction || session.in_transaction();
  std::vector<CaseResult> results;
  for (const auto& rls_case : cases) results.push_back(run_case(session, rls_case, savepoint));
  return results;
}

}  // namespace migsafe::checks
