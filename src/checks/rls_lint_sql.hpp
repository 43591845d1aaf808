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
  const char* level;  // "error", "warn" or "info", as Supabase's advisors rate it
  const char*
      doc;  // Supabase's docs key, e.g. "0013_rls_disabled_in_public"; nullptr for migsafe's own
  const char* sql;  // a SELECT of (object, message, remediation) over the prelude's CTEs
  // A relation the query reads directly (e.g. "storage.buckets"): when it does not exist the lint
  // finds nothing and is not run. nullptr: none.
  const char* needs_relation = nullptr;
};

// CTEs shared by every lint query, prefixed to each one. Objects are not filtered here: each lint
// applies the filters Supabase's splinter applies to it (they differ from lint to lint).
//   opts   the parameters;  api  the roles anon and authenticated (those that exist);
//   rels   tables, views, materialized views and foreign tables outside pg_catalog,
//          information_schema and pg_* schemas, with name "schema.table", exposed (in an exposed
//          schema), internal (in a skipped schema), ext_member (owned by an extension), rls flags,
//          invoker, api_select/api_write (anon or authenticated hold the table privilege);
//   funcs  functions, procedures and aggregates likewise, with name "schema.f(argument types)",
//          args (the identity arguments, for SQL), secdef, proconfig;
//   pols   policies on `rels`, with name "schema.table.policy", command, qual/with_check (as
//          pg_get_expr prints them under an empty search_path, so calls carry their schema) and
//          their lower-cased, whitespace-free forms nqual/ncheck, to_public, to_api.
inline constexpr const char* kLintPrelude = R"SQL(
with opts as (
  select $1::text[] as exposed, $2::text[] as public_tables, $3::text[] as internal
),
api as (
  select oid, rolname from pg_roles where rolname in ('anon', 'authenticated')
),
rels as (
  select c.oid, c.relkind, c.relname, n.nspname, n.oid as nspoid, n.nspname || '.' || c.relname as name,
         n.nspname = any(o.exposed) as exposed, n.nspname = any(o.internal) as internal,
         exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid
                   and d.deptype = 'e') as ext_member,
         c.relrowsecurity as rls, c.relforcerowsecurity as force_rls, c.relowner,
         coalesce(lower(c.reloptions::text)::text[], '{}') && array['security_invoker=1', 'security_invoker=true',
           'security_invoker=yes', 'security_invoker=on'] as invoker,
         exists (select 1 from api a where has_table_privilege(a.oid, c.oid, 'SELECT')) as api_select,
         exists (select 1 from api a
                 where has_table_privilege(a.oid, c.oid, 'INSERT,UPDATE,DELETE,TRUNCATE')) as api_write
  from pg_class c join pg_namespace n on n.oid = c.relnamespace cross join opts o
  where c.relkind in ('r', 'p', 'v', 'm', 'f')
    and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\_%'
),
funcs as (
  select p.oid, p.proname, n.nspname, n.oid as nspoid, pg_get_function_identity_arguments(p.oid) as args,
         n.nspname || '.' || p.proname || '(' || oidvectortypes(p.proargtypes) || ')' as name,
         n.nspname = any(o.exposed) as exposed, n.nspname = any(o.internal) as internal,
         exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid
                   and d.deptype = 'e') as ext_member,
         p.prosecdef as secdef, p.proconfig, p.prorettype, p.prokind
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace cross join opts o
  where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\_%'
),
pols as (
  select r.oid as reloid, r.relkind, r.name as table_name, r.nspname, r.relname, r.rls, r.internal,
         r.ext_member, r.name || '.' || p.polname as name, p.polname, p.polpermissive as permissive, p.polroles,
         p.polcmd,
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

// Lints about tables and columns: RLS off or without policies, sensitive columns, reg* columns,
// foreign keys to auth, RLS not forced.
const std::vector<LintSpec>& table_lint_specs();
// Lints about policies: always-true, user_metadata, per-row auth calls, overlapping permissive
// policies, weak WITH CHECK, TO public.
const std::vector<LintSpec>& policy_lint_specs();
// Lints about views, functions and extensions.
const std::vector<LintSpec>& object_lint_specs();
// Supabase's lints about keys and indexes: unindexed foreign keys, no primary key, duplicates.
const std::vector<LintSpec>& index_lint_specs();
// Lints about other ways into the data: pg_graphql introspection, pgmq queues, Storage buckets.
const std::vector<LintSpec>& api_lint_specs();

}  // namespace migsafe::checks
