#include "checks/rls_lints.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

#include "checks/rls_case_scope.hpp"
#include "checks/rls_lint_sql.hpp"

namespace migsafe::checks {
namespace {

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

bool relation_exists(pg::Session& session, const std::string& name) {
  return session.query("select to_regclass($1) is not null", {name}).scalar().value_or("f") == "t";
}

void run_lint(pg::Session& session, const LintSpec& spec,
              const std::vector<std::optional<std::string>>& params, std::vector<Finding>& out) {
  if (spec.needs_relation != nullptr && !relation_exists(session, spec.needs_relation)) return;
  pg::Rows rows = session.query(std::string(kLintPrelude) + spec.sql, params);
  for (const auto& row : rows.rows) {
    out.push_back(Finding{spec.id, spec.level, row.at(0).value_or(""), row.at(1).value_or(""),
                          remediation_with_doc(row.at(2).value_or(""), spec.doc)});
  }
}

}  // namespace

const std::vector<std::string>& internal_schemas() {
  // The schemas Supabase's splinter skips (Supabase's own and its extensions'), PostgreSQL's, and
  // migsafe's ledger.
  // clang-format off
  static const std::vector<std::string> schemas{
      "_timescaledb_cache", "_timescaledb_catalog", "_timescaledb_config", "_timescaledb_internal",
      "auth", "cron", "extensions", "graphql", "graphql_public", "information_schema", "net", "pgmq",
      "pgroonga", "pgsodium", "pgsodium_masks", "pgtle", "pgbouncer", "pg_catalog", "realtime", "repack",
      "storage", "supabase_functions", "supabase_migrations", "tiger", "topology", "vault", "migsafe",
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
  // Under an empty search_path PostgreSQL prints every call in a policy with its schema
  // (auth.uid()), as Supabase's advisors read them; the scope undoes the setting.
  RollbackScope scope(session, session.in_transaction());
  session.exec("SET LOCAL search_path = ''");
  for (const auto* specs :
       {&table_lint_specs(), &policy_lint_specs(), &object_lint_specs(), &api_lint_specs(),
        &index_lint_specs()}) {
    for (const auto& spec : *specs) run_lint(session, spec, params, findings);
  }
  scope.close();
  std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.lint, a.object) < std::tie(b.lint, b.object);
  });
  return findings;
}

}  // namespace migsafe::checks
