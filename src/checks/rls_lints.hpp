// The static RLS lints: read-only catalog queries that find tables, policies, views and functions
// that leak rows through the API. Ids, levels and what each finds follow Supabase's advisors
// (supabase/splinter's lints/*.sql) so migsafe reports what the Supabase dashboard would; three are
// migsafe's own. docs/rls-lints.md lists every lint and where migsafe differs. The README's "RLS checks" section lists every
// lint with its level and what it catches. "Exposed" = in LintOptions' exposed_schemas; "API
// roles" = anon and authenticated. Internal schemas (internal_schemas()) and extension members are
// skipped. Objects are "schema.table", "schema.table.policy", "schema.function(argument types)" or
// the extension's name.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checks/finding.hpp"
#include "pg/session.hpp"

namespace migsafe::checks {

// What the lints need from the pipeline.
struct LintOptions {
  // Schemas the API exposes (from the pipeline; never read from `pgrst.db_schemas`).
  std::vector<std::string> exposed_schemas;
  // Tables meant to be public: "schema.table", or a bare name meaning it in every exposed schema.
  std::vector<std::string> public_tables;
};

// Schemas the lints skip: Supabase's own, migsafe's, and PostgreSQL's.
const std::vector<std::string>& internal_schemas();

// "schema.table" for each entry of `options.public_tables` (bare names expanded over the exposed
// schemas).
std::vector<std::string> qualified_public_tables(const LintOptions& options);

// The $1..$3 parameters of the lint queries (rls_lint_sql.hpp) for `options`.
std::vector<std::optional<std::string>> lint_params(const LintOptions& options);

// Runs every lint on `session` and returns the findings sorted by lint, then object: each
// (lint, object) that a lint finds, also when another lint reports the same object (a table
// without RLS that has sensitive columns is both rls_disabled_in_public and
// sensitive_columns_exposed, as in Supabase's advisors). Changes nothing: it runs under a
// savepoint (or its own transaction) with an empty search_path, rolled back at the end.
std::vector<Finding> run_rls_lints(pg::Session& session, const LintOptions& options);

}  // namespace migsafe::checks
