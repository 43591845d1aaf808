#include "checks/rls_case_scope.hpp"

#include <nlohmann/json.hpp>

#include "sql/splitter.hpp"
#include "sql/transaction_safety.hpp"
#include "util/utf8.hpp"

namespace migsafe::checks {
namespace {

constexpr const char* kSavepoint = "migsafe_rls_check";

// PostgreSQL accepts only these characters in a custom setting's name.
bool valid_setting_key(const std::string& key) {
  if (key.empty()) return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '$';
    if (!ok) return false;
  }
  return true;
}

std::string set_local(pg::Session& session, const std::string& name, const std::string& value) {
  return "set_config(" + session.quote(name) + ", " + session.quote(value) + ", true)";
}

// The claims as PostgREST sets them: the whole object, and (legacy) one setting per top-level key.
// auth.uid() and auth.jwt() read the legacy sub/claim settings first, so stale ones are blanked.
std::string claims_sql(pg::Session& session, const nlohmann::json& claims) {
  std::string sql = "select " + set_local(session, "request.jwt.claims", claims.dump());
  sql += ", " + set_local(session, "request.jwt.claim", "");
  for (const char* key : {"sub", "email", "role"}) {
    if (!claims.contains(key))
      sql += ", " + set_local(session, std::string("request.jwt.claim.") + key, "");
  }
  for (const auto& [key, value] : claims.items()) {
    if (!valid_setting_key(key)) continue;
    sql += ", " + set_local(session, "request.jwt.claim." + key,
                            value.is_string() ? value.get<std::string>() : value.dump());
  }
  return sql;
}

}  // namespace

RollbackScope::RollbackScope(pg::Session& session, bool savepoint)
    : session_(session), savepoint_(savepoint) {
  session_.exec(savepoint_ ? std::string("SAVEPOINT ") + kSavepoint : "BEGIN");
}

RollbackScope::~RollbackScope() {
  try {
    if (open_) close();
  } catch (...) {
  }
}

void RollbackScope::close() {
  open_ = false;
  if (!savepoint_) {
    session_.exec("ROLLBACK");
    return;
  }
  session_.exec(std::string("ROLLBACK TO SAVEPOINT ") + kSavepoint + "; RELEASE SAVEPOINT " +
                kSavepoint);
}

std::optional<pg::SqlError> act_as(pg::Session& session, const std::string& role,
                                   const std::optional<std::string>& claims_json) {
  nlohmann::json claims = nlohmann::json::object();
  if (claims_json) {
    claims = nlohmann::json::parse(*claims_json, nullptr, false);
    if (!claims.is_object())
      return pg::SqlError{"22023", "claims are not a JSON object: " + *claims_json, "", "", "", 0};
  }
  if (!claims.contains("role")) claims["role"] = role;
  return session.run(claims_sql(session, claims) + "; SET LOCAL ROLE " + session.quote_name(role))
      .error;
}

std::string refusal_reason(const std::string& sql) {
  for (const auto& statement : sql::split(sql)) {
    if (sql::is_transaction_control(statement.text)) {
      return "transaction control is not allowed in an RLS check: " + util::truncate_chars(statement.text, 80);
    }
    sql::Token first = sql::next_token(statement.text, 0);
    while (first.kind == sql::TokenKind::comment)
      first = sql::next_token(statement.text, first.offset + first.text.size());
    if (first.kind == sql::TokenKind::word && sql::is_keyword(first.text, "RELEASE")) {
      return "RELEASE SAVEPOINT is not allowed in an RLS check: " + util::truncate_chars(statement.text, 80);
    }
  }
  return "";
}

}  // namespace migsafe::checks
