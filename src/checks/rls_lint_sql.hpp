// The catalog queries behind the RLS lints. Each lint is one read-only query that returns
// (object, message, remediation) rows; kLintPrelude defines the CTEs they share. Parameters:
// $1 the exposed schemas, $2 the tables meant to be public ("schema.table"), $3 the schemas to skip
// (Supabase-internal), all text[].
#pragma once

#include <vector>

namespace migsafe::checks {

// One lint: its id (Supabase's, where Supabase has the lint), level and query.
struct LintSpec {
  const char* id;     // e.g. "rls_disabled_in_public"
  const char* level;  // "error", "warn" or "info"
  const char*
      doc;  // Supabase's docs key, e.g. "0013_rls_disabled_in_public"; nullptr for migsafe's own
  const char* sql;  // a SELECT of (object, message, remediation) over the prelude's CTEs
};

// CTEs shared by every lint query, prefixed to each one:
//   opts   the parameters;  api  the roles anon and authenticated (those that exist);
//   rels   tables, views, materialized views and foreign tables outside skipped schemas, not owned
//          by an extension, with name "schema.table", exposed, rls flags, invoker,
//          api_select/api_write;
//   funcs  functions and procedures likewise, with name "schema.f(argument types)" and args
//          (the identity arguments, for SQL);
//   pols   policies on `rels`, with name "schema.table.policy", command, qual/with_check and their
//          lower-cased, whitespace-free forms nqual/ncheck, to_public, to_api.
inline constexpr const char* kLintPrelude = R"SQL(
with opts as (
  select $1::text[] as exposed, $2::text[] as public_tables, $3::text[] as internal
),
api as (
  select oid, rolname from pg_roles where rolname in ('anon', 'authenticated')
),
rels as (
  select c.oid, c.relkind, c.relname, n.nspname, n.oid as nspoid, n.nspname || '.' || c.relname as name,
         n.nspname = any(o.exposed) as exposed, c.relrowsecurity as rls, c.relforcerowsecurity as force_rls,
         c.relowner,
         coalesce(lower(c.reloptions::text)::text[], '{}') && array['security_invoker=1', 'security_invoker=true',
           'security_invoker=yes', 'security_invoker=on'] as invoker,
         exists (select 1 from api a where has_schema_privilege(a.oid, n.oid, 'USAGE')
                   and has_table_privilege(a.oid, c.oid, 'SELECT')) as api_select,
         exists (select 1 from api a where has_schema_privilege(a.oid, n.oid, 'USAGE')
                   and has_table_privilege(a.oid, c.oid, 'INSERT,UPDATE,DELETE,TRUNCATE')) as api_write
  from pg_class c join pg_namespace n on n.oid = c.relnamespace cross join opts o
  where c.relkind in ('r', 'p', 'v', 'm', 'f')
    and n.nspname <> all(o.internal) and n.nspname not like 'pg\_%'
    and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
),
funcs as (
  select p.oid, p.proname, n.nspname, n.oid as nspoid, pg_get_function_identity_arguments(p.oid) as args,
         n.nspname || '.' || p.proname || '(' || oidvectortypes(p.proargtypes) || ')' as name,
         n.nspname = any(o.exposed) as exposed, p.prosecdef as secdef, p.proconfig, p.prorettype, p.prokind
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace cross join opts o
  where n.nspname <> all(o.internal) and n.nspname not like 'pg\_%'
    and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
),
pols as (
  select r.oid as reloid, r.name as table_name, r.nspname, r.relname, r.rls, r.name || '.' || p.polname as name,
         p.polname, p.polpermissive as permissive, p.polroles,
         case p.polcmd when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE'
                       when 'd' then 'DELETE' else 'ALL' end as command,
         pg_get_expr(p.polqual, p.polrelid) as qual, pg_get_expr(p.polwithcheck, p.polrelid) as with_check,
         regexp_replace(lower(coalesce(pg_get_expr(p.polqual, p.polrelid), '')), '\s', '', 'g') as nqual,
         regexp_replace(lower(coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')), '\s', '', 'g') as ncheck,
         0::oid = any(p.polroles) as to_public,
         exists (select 1 from api a where a.oid = any(p.polroles)) as to_api,
         (select string_agg(case when x = 0 then 'public' else x::regrole::text end, ', ')
            from unnest(p.polroles) x) as roles
  from pg_policy p join rels r on r.oid = p.polrelid
)
)SQL";

// Lints about tables: RLS off or without policies, sensitive columns, RLS not forced.
const std::vector<LintSpec>& table_lint_specs();
// Lints about policies: always-true, user_metadata, weak WITH CHECK, TO public.
const std::vector<LintSpec>& policy_lint_specs();
// Lints about views, functions and extensions.
const std::vector<LintSpec>& object_lint_specs();

}  // namespace migsafe::checks
