// The static RLS lints: read-only catalog queries that find tables, policies, views and functions
// that leak rows through the API. Ids and levels follow Supabase's advisors (supabase/splinter) so
// users can look them up; the last three are migsafe's own. "Exposed" = in LintOptions'
// exposed_schemas; "API roles" = anon and authenticated.
//
//   rls_disabled_in_public        error  exposed table, RLS off, API roles may use it (a table
//   listed
//                                        as public may stay without RLS if they can only read it)
//   sensitive_columns_exposed     error  same, API roles may read it, and it has a column named
//   like a
//                                        secret (password, api_key, ssn, ...)
//   policy_exists_rls_disabled    error  table with policies but RLS off
//   rls_enabled_no_policy         info   RLS on, no policy: nothing is reachable (often intended)
//   security_definer_view         error  exposed view without security_invoker that API roles may
//   read auth_users_exposed            error  exposed view/matview reading auth.users that API
//   roles may read rls_references_user_metadata  error  policy reads JWT user_metadata (or
//   raw_user_meta_data) function_search_path_mutable  warn   function without a pinned search_path
//   anon_security_definer_function_executable           warn  exposed SECURITY DEFINER function
//   authenticated_security_definer_function_executable  warn  that anon / authenticated may execute
//   materialized_view_in_api      warn   exposed materialized view API roles may read (no RLS
//   exists) foreign_table_in_api          warn   exposed foreign table API roles may read (no RLS
//   exists) rls_policy_always_true        warn   permissive INSERT/UPDATE/DELETE/ALL policy for
//   public, anon or
//                                        authenticated whose USING or WITH CHECK is always true
//   extension_in_public           warn   extension (not plpgsql) in public or an exposed schema
//   rls_update_check_weaker_than_using           warn  UPDATE/ALL policy whose WITH CHECK drops an
//                                        identity check (auth.uid(), auth.jwt(), current_user...)
//                                        of its USING: a user can hand their row to someone else. A
//                                        missing WITH CHECK is fine: PostgreSQL then checks USING.
//   rls_not_forced                info   exposed table with RLS on, not forced, owned by a role
//   that is
//                                        neither superuser nor BYPASSRLS: the owner bypasses RLS
//   rls_policy_to_public_on_authenticated_table  warn  permissive TO public policy that does not
//   depend
//                                        on the signed-in user, on a non-public table whose other
//                                        policies are for authenticated: it also grants anon
//
// Internal schemas (internal_schemas()) and extension members are skipped. Objects are
// "schema.table", "schema.table.policy", "schema.function(argument types)" or the extension's name.
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

// Runs every lint on `session` and returns the findings sorted by lint, then object. A finding that
// a more specific one on the same object already reports is left out (e.g. rls_disabled_in_public
// when sensitive_columns_exposed names the same table). Changes nothing.
std::vector<Finding> run_rls_lints(pg::Session& session, const LintOptions& options);

}  // namespace migsafe::checks
