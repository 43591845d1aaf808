// Policy lints. They read policy expressions as PostgreSQL prints them under an empty search_path
// (run_rls_lints sets it), so every call carries its schema: auth.uid(), auth.jwt().
#include "checks/rls_lint_sql.hpp"

namespace migsafe::checks {
namespace {

// Splinter 0024: a permissive policy for public/anon/authenticated whose USING (for UPDATE, DELETE,
// ALL) or WITH CHECK is always true. SELECT policies with USING (true) are left out: public read
// access is usually deliberate.
constexpr const char* kRlsPolicyAlwaysTrue = R"SQL(
select p.name,
       format('Policy `%s` on `%s` lets %s %s any row: its %s always true.', p.polname, p.table_name,
              p.roles, p.command,
              case when using_true and check_true then 'USING and WITH CHECK are'
                   when using_true then 'USING is' else 'WITH CHECK is' end),
       'Restrict the policy to the rows each user may touch, e.g. using (user_id = (select auth.uid())), '
       'or ignore this finding with a reason when the table is meant to be open.'
from (
  select p.*,
         p.command in ('UPDATE', 'DELETE', 'ALL')
           and (p.nqual in ('true', '(true)', '1=1', '(1=1)') or p.qual is null) as using_true,
         p.ncheck in ('true', '(true)', '1=1', '(1=1)')
           or (p.with_check is null and p.command = 'INSERT')
           or (p.with_check is null and p.command in ('UPDATE', 'ALL')
               and p.nqual in ('true', '(true)', '1=1', '(1=1)')) as check_true
  from pols p
  where p.relkind = 'r' and not p.internal and p.rls and p.permissive and (p.to_public or p.to_api)
) p
where using_true or check_true
)SQL";

// Splinter 0015 (auth.jwt() or the request.jwt.claims setting, then user_metadata), plus
// auth.users.raw_user_meta_data, which users can edit just the same.
constexpr const char* kRlsReferencesUserMetadata = R"SQL(
select p.name,
       format('Policy `%s` on `%s` reads user_metadata, which every user can edit for themselves '
              '(supabase.auth.updateUser): the policy grants whatever a user writes there.',
              p.polname, p.table_name),
       'Base the check on app_metadata (only the server can set it) or on a table users cannot write.'
from pols p
where not p.internal
  and exists (select 1 from unnest(array[p.qual, p.with_check]) e
              where e like '%auth.jwt()%user_metadata%'
                 or e like '%current_setting(%request.jwt.claims%)%user_metadata%'
                 or e like '%raw\_user\_meta\_data%')
)SQL";

// Splinter 0003: auth.uid() and friends, or current_setting(), called per row instead of once
// (wrapped in a scalar subquery, PostgreSQL evaluates them once per statement as an initplan).
constexpr const char* kAuthRlsInitplan = R"SQL(
select p.name,
       format('Policy `%s` on `%s` calls %s for every row it checks; at scale that makes queries on the '
              'table slow.', p.polname, p.table_name, string_agg(distinct f, ', ')),
       'Wrap each call in a subquery so it runs once per statement: (select auth.uid()) instead of auth.uid().'
from pols p
  cross join lateral unnest(array[p.qual, p.with_check]) e
  cross join lateral unnest(array['auth.uid()', 'auth.jwt()', 'auth.role()', 'auth.email()',
                                  'current_setting()']) f
where p.rls and (not p.internal or p.nspname = 'realtime')
  and case when f = 'current_setting()'
           then e like '%current\_setting(%)%' and lower(e) not like '%select current\_setting(%)%'
           else e like '%' || f || '%' and lower(e) not like '%select ' || f || '%' end
group by p.name, p.polname, p.table_name
)SQL";

// Splinter 0006: two or more permissive policies for the same role and command, all of which
// PostgreSQL evaluates for every row. TO public counts for every role; roles that bypass RLS,
// pg_* and supabase*admin are left out. The object is "schema.table.role.COMMAND".
constexpr const char* kMultiplePermissivePolicies = R"SQL(
select p.table_name || '.' || w.rolname || '.' || c.command,
       format('Table `%s` has %s permissive policies for role %s on %s (%s): PostgreSQL evaluates each of '
              'them for every row.', p.table_name, count(*), w.rolname, c.command,
              string_agg(p.polname, ', ' order by p.polname)),
       'Merge them into one policy whose condition ORs theirs, or make the extra ones restrictive.'
from pols p
  join pg_roles w on p.to_public or w.oid = any(p.polroles)
  cross join lateral unnest(case p.polcmd when '*' then array['SELECT', 'INSERT', 'UPDATE', 'DELETE']
                                          else array[p.command] end) c(command)
where p.relkind = 'r' and not p.internal and not p.ext_member and p.permissive
  and w.rolname not like 'pg\_%' and w.rolname not like 'supabase%admin' and not w.rolbypassrls
group by p.table_name, w.rolname, c.command
having count(*) > 1
)SQL";

// migsafe's own. Without WITH CHECK, PostgreSQL checks the new row against USING, which is safe;
// a WITH CHECK that drops the USING's identity condition lets a user hand a row to someone else.
constexpr const char* kRlsUpdateCheckWeakerThanUsing = R"SQL(
select p.name,
       format('Policy `%s` on `%s` (%s) checks %s in USING, but its WITH CHECK (%s) '
              'does not: a user can rewrite a row they own so that it belongs to someone else.',
              p.polname, p.table_name, p.command,
              (select string_agg(t, ', ') from unnest(ids) t), p.with_check),
       format('Check the new row against the USING condition too (or drop WITH CHECK, which does the same): '
              'alter policy %I on %I.%I with check (%s);', p.polname, p.nspname, p.relname, p.qual)
from (
  select p.*,
         array(select t from unnest(array['uid()', 'jwt()', 'email()', 'current_user', 'session_user',
                                          'request.jwt.claim']) t
               where strpos(p.nqual, t) > 0 and strpos(p.ncheck, t) = 0) as ids
  from pols p
  where not p.internal and not p.ext_member and p.permissive and p.command in ('UPDATE', 'ALL')
    and p.with_check is not null
) p
where cardinality(ids) > 0
)SQL";

// migsafe's own: a TO public policy that does not depend on who is signed in, on a table whose
// other policies are for authenticated, also grants its rows to anon.
constexpr const char* kRlsPolicyToPublic = R"SQL(
select p.name,
       format('Policy `%s` on `%s` applies to every role (TO public), including anon, and does not '
              'depend on who is signed in, while the table''s other policies are for authenticated: '
              'signed-out users get what it allows.', p.polname, p.table_name),
       format('Give the policy to signed-in users (or list the table in rls.public_tables): '
              'alter policy %I on %I.%I to authenticated;', p.polname, p.nspname, p.relname)
from pols p cross join opts o
where not p.internal and not p.ext_member and p.permissive and p.to_public
  and p.table_name <> all(o.public_tables)
  and not exists (select 1 from unnest(array['uid()', 'jwt()', 'email()', 'role()', 'current_user',
                                              'session_user', 'request.jwt.claim']) t
                  where strpos(p.nqual, t) > 0 or strpos(p.ncheck, t) > 0)
  and exists (select 1 from pols q join api a on a.oid = any(q.polroles)
              where q.reloid = p.reloid and q.name <> p.name and a.rolname = 'authenticated')
)SQL";

}  // namespace

const std::vector<LintSpec>& policy_lint_specs() {
  static const std::vector<LintSpec> specs{
      {"rls_policy_always_true", "warn", "0024_permissive_rls_policy", kRlsPolicyAlwaysTrue},
      {"rls_references_user_metadata", "error", "0015_rls_references_user_metadata",
       kRlsReferencesUserMetadata},
      {"auth_rls_initplan", "warn", "0003_auth_rls_initplan", kAuthRlsInitplan},
      {"multiple_permissive_policies", "warn", "0006_multiple_permissive_policies",
       kMultiplePermissivePolicies},
      {"rls_update_check_weaker_than_using", "warn", nullptr, kRlsUpdateCheckWeakerThanUsing},
      {"rls_policy_to_public_on_authenticated_table", "warn", nullptr, kRlsPolicyToPublic},
  };
  return specs;
}

}  // namespace migsafe::checks
