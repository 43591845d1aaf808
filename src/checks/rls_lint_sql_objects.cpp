// Lints about views, functions and extensions reachable through the API.
#include <string>

#include "checks/rls_lint_sql.hpp"

namespace migsafe::checks {
namespace {

// Splinter 0010.
constexpr const char* kSecurityDefinerView = R"SQL(
select r.name,
       format('View `%s` runs with its owner''s rights (no security_invoker), so it bypasses the row level '
              'security of the tables it reads, and anon or authenticated can select from it.', r.name),
       format('Make it check the caller''s rights: alter view %I.%I set (security_invoker = on);',
              r.nspname, r.relname)
from rels r
where r.relkind = 'v' and r.exposed and not r.internal and not r.ext_member and r.api_select
  and not r.invoker
)SQL";

// Splinter 0002. A security_invoker view reads auth.users with the caller's rights, so it exposes
// it only when auth.users itself has row level security disabled.
constexpr const char* kAuthUsersExposed = R"SQL(
select r.name,
       format('%s `%s` reads auth.users and anon or authenticated can select from it: users'' emails, '
              'phones and metadata are exposed through the API.',
              case r.relkind when 'm' then 'Materialized view' else 'View' end, r.name),
       format('Move it to a schema the API does not expose, or revoke access: '
              'revoke select on %I.%I from anon, authenticated;', r.nspname, r.relname)
from rels r
where r.relkind in ('v', 'm') and r.exposed and r.api_select
  and exists (select 1 from pg_rewrite w
              join pg_depend d on d.classid = 'pg_rewrite'::regclass and d.objid = w.oid
              where w.ev_class = r.oid and d.refobjid = to_regclass('auth.users') and d.deptype = 'n')
  and (r.relkind = 'm' or not r.invoker
       or not (select c.relrowsecurity from pg_class c where c.oid = to_regclass('auth.users')))
)SQL";

// Splinter 0016: a materialized view has no row level security at all.
constexpr const char* kMaterializedViewInApi = R"SQL(
select r.name,
       format('Materialized view `%s` is selectable by anon or authenticated; materialized views have '
              'no row level security, so every row is readable through the API.', r.name),
       format('Move it to a schema the API does not expose, or revoke access: '
              'revoke select on %I.%I from anon, authenticated;', r.nspname, r.relname)
from rels r
where r.relkind = 'm' and r.exposed and not r.internal and not r.ext_member and r.api_select
)SQL";

// Splinter 0017: foreign tables have no row level security either.
constexpr const char* kForeignTableInApi = R"SQL(
select r.name,
       format('Foreign table `%s` is selectable by anon or authenticated; foreign tables have no row '
              'level security, so every row is readable through the API.', r.name),
       format('Move it to a schema the API does not expose, or revoke access: '
              'revoke select on %I.%I from anon, authenticated;', r.nspname, r.relname)
from rels r
where r.relkind = 'f' and r.exposed and not r.internal and not r.ext_member and r.api_select
)SQL";

// Splinter 0011: every kind of routine (aggregates too), in any schema that is not skipped.
constexpr const char* kFunctionSearchPathMutable = R"SQL(
select f.name,
       format('Function `%s` has a role mutable search_path: what its unqualified names resolve to '
              'depends on the caller''s search_path.', f.name),
       format('Pin it, then qualify the names it uses with their schema: '
              'alter function %I.%I(%s) set search_path = '''';', f.nspname, f.proname, f.args)
from funcs f
where not f.internal and not f.ext_member
  and not exists (select 1 from unnest(coalesce(f.proconfig, '{}')) c where c like 'search_path=%')
)SQL";

// Splinter 0028/0029, for functions the API can call: those in exposed schemas (trigger functions
// included, as splinter does: PostgREST refuses to call them, but a grant on one is still a slip).
constexpr const char* kSecurityDefinerExecutable = R"SQL(
select f.name,
       format('SECURITY DEFINER function `%s` can be executed by %s: it runs with its owner''s rights and '
              'bypasses row level security, and %s can call it through /rest/v1/rpc/%s.',
              f.name, a.rolname, case a.rolname when 'anon' then 'anyone with the anon key'
                                                else 'any signed-in user' end, f.proname),
       format('Make it SECURITY INVOKER, move it to a schema the API does not expose, or revoke it: '
              'revoke execute on function %I.%I(%s) from public, %I;', f.nspname, f.proname, f.args, a.rolname)
from funcs f join api a on a.rolname = '%ROLE%'
where f.exposed and not f.internal and f.secdef and has_function_privilege(a.oid, f.oid, 'EXECUTE')
)SQL";

// Splinter 0014 (schema public), and also for the other exposed schemas.
constexpr const char* kExtensionInPublic = R"SQL(
select e.extname::text,
       format('Extension `%s` is installed in schema %s, which the API exposes.', e.extname, n.nspname),
       format('Move it (or drop it and create it again with schema extensions): '
              'alter extension %I set schema extensions;', e.extname)
from pg_extension e join pg_namespace n on n.oid = e.extnamespace cross join opts o
where e.extname <> 'plpgsql' and (n.nspname = 'public' or n.nspname = any(o.exposed))
)SQL";

// Splinter 0022: an extension not at the version the server would install today.
constexpr const char* kExtensionVersionsOutdated = R"SQL(
select e.name::text,
       format('Extension `%s` is at version %s, but the server has %s (its default): updates carry '
              'security fixes.', e.name, e.installed_version, e.default_version),
       format('Update it: alter extension %I update;', e.name)
from pg_available_extensions e
where e.installed_version is not null and e.default_version is not null
  and e.installed_version <> e.default_version
  and exists (select 1 from pg_available_extension_versions v where v.name = e.name and v.installed)
)SQL";

// `sql` with its %ROLE% placeholder replaced by `role`: one query, two lint ids.
std::string for_role(std::string sql, const std::string& role) {
  return sql.replace(sql.find("%ROLE%"), 6, role);
}

}  // namespace

const std::vector<LintSpec>& object_lint_specs() {
  static const std::string anon = for_role(kSecurityDefinerExecutable, "anon");
  static const std::string authenticated = for_role(kSecurityDefinerExecutable, "authenticated");
  static const std::vector<LintSpec> specs{
      {"security_definer_view", "error", "0010_security_definer_view", kSecurityDefinerView},
      {"auth_users_exposed", "error", "0002_auth_users_exposed", kAuthUsersExposed},
      {"materialized_view_in_api", "warn", "0016_materialized_view_in_api", kMaterializedViewInApi},
      {"foreign_table_in_api", "warn", "0017_foreign_table_in_api", kForeignTableInApi},
      {"function_search_path_mutable", "warn", "0011_function_search_path_mutable",
       kFunctionSearchPathMutable},
      {"anon_security_definer_function_executable", "warn",
       "0028_anon_security_definer_function_executable", anon.c_str()},
      {"authenticated_security_definer_function_executable", "warn",
       "0029_authenticated_security_definer_function_executable", authenticated.c_str()},
      {"extension_in_public", "warn", "0014_extension_in_public", kExtensionInPublic},
      {"extension_versions_outdated", "warn", "0022_extension_versions_outdated",
       kExtensionVersionsOutdated},
  };
  return specs;
}

}  // namespace migsafe::checks
