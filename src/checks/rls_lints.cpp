#include "checks/rls_lints.hpp"

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include "checks/rls_lint_sql.hpp"

namespace migsafe::checks {
namespace {

// (specific, general): where both report one object, only the specific one is kept.
const std::vector<std::pair<std::string, std::string>> kSubsumes{
    {"sensitive_columns_exposed", "rls_disabled_in_public"},
    {"policy_exists_rls_disabled", "rls_disabled_in_public"},
    {"auth_users_exposed", "security_definer_view"},
    {"auth_users_exposed", "materialized_view_in_api"},
};

// A PostgreSQL array literal ("{...}") of `values`, for a text[] parameter.
std::string array_literal(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string remediation_with_doc(std::string remediation, const char* doc) {
  if (doc == nullptr) return remediation;
  return remediation +
         " Docs: https://supabase.com/docs/guides/database/database-linter?lint=" + doc;
}

void run_lint(pg::Session& session, const LintSpec& spec,
              const std::vector<std::optional<std::string>>& params, std::vector<Finding>& out) {
  pg::Rows rows = session.query(std::string(kLintPrelude) + spec.sql, params);
  for (const auto& row : rows.rows) {
    out.push_back(Finding{spec.id, spec.level, row.at(0).value_or(""), row.at(1).value_or(""),
                          remediation_with_doc(row.at(2).value_or(""), spec.doc)});
  }
}

std::vector<Finding> without_subsumed(std::vector<Finding> findings) {
  std::set<std::pair<std::string, std::string>> reported;
  for (const auto& f : findings) reported.emplace(f.lint, f.object);
  auto subsumed = [&](const Finding& f) {
    return std::any_of(kSubsumes.begin(), kSubsumes.end(), [&](const auto& rule) {
      return rule.second == f.lint && reported.count({rule.first, f.object}) > 0;
    });
  };
  findings.erase(std::remove_if(findings.begin(), findings.end(), subsumed), findings.end());
  return findings;
}

}  // namespace

const std::vector<std::string>& internal_schemas() {
  // Supabase's and its extensions' schemas (as splinter skips them), migsafe's ledger,
  // PostgreSQL's.
  // clang-format off
  static const std::vector<std::string> schemas{
      "auth", "storage", "realtime", "_realtime", "extensions", "graphql", "graphql_public", "vault",
      "pgsodium", "pgsodium_masks", "supabase_functions", "supabase_migrations", "_analytics", "migsafe",
      "cron", "net", "pgbouncer", "pgmq", "pgroonga", "pgtle", "repack", "tiger", "topology",
      "_timescaledb_cache", "_timescaledb_catalog", "_timescaledb_config", "_timescaledb_internal",
      "pg_catalog", "information_schema",
  };
  // clang-format on
  return schemas;
}

std::vector<std::string> qualified_public_tables(const LintOptions& options) {
  std::vector<std::string> out;
  for (const auto& table : options.public_tables) {
    if (table.find('.') != std::string::npos) {
      out.push_back(table);
      continue;
    }
    for (const auto& schema : options.exposed_schemas) out.push_back(schema + "." + table);
  }
  return out;
}

std::vector<std::optional<std::string>> lint_params(const LintOptions& options) {
  return {array_literal(options.exposed_schemas), array_literal(qualified_public_tables(options)),
          array_literal(internal_schemas())};
}

std::vector<Finding> run_rls_lints(pg::Session& session, const LintOptions& options) {
  const auto params = lint_params(options);
  std::vector<Finding> findings;
  for (const auto* specs : {&table_lint_specs(), &policy_lint_specs(), &object_lint_specs()}) {
    for (const auto& spec : *specs) run_lint(session, spec, params, findings);
  }
  findings = without_subsumed(std::move(findings));
  std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.lint, a.object) < std::tie(b.lint, b.object);
  });
  return findings;
}

}  // namespace migsafe::checks
