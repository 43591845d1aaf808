// Policy lints. They read policy expressions as PostgreSQL prints them (pg_get_expr), so they look
// for calls like uid() with or without their schema: the session's search_path does not matter.
#include "checks/rls_lint_sql.hpp"

namespace migsafe::checks {
namespace {

// Splinter 0024: a permissive write policy for public/anon/authenticated that is always true.
// SELECT policies with USING (true) are left out: public read access is usually deliberate.
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
  where p.rls and p.permissive and (p.to_public or p.to_api)
) p
where using_true or check_true
)SQL";

// Splinter 0015, plus auth.users.raw_user_meta_data, which users can edit just the same.
constexpr const char* kRlsReferencesUserMetadata = R"SQL(
select p.name,
       format('Policy `%s` on `%s` reads user_metadata, which every user can edit for themselves '
              '(supabase.auth.updateUser): the policy grants whatever a user writes there.',
              p.polname, p.table_name),
       'Base the check on app_metadata (only the server can set it) or on a table users cannot write.'
from pols p
where exists (select 1 from unnest(array[p.nqual, p.ncheck]) e
              where e ~ 'raw_user_meta_data'
                 or (e ~ 'user_metadata' and e ~ '(jwt\(\)|request\.jwt\.claim)'))
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
  where p.permissive and p.command in ('UPDATE', 'ALL') and p.with_check is not null
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
where p.permissive and p.to_public and p.table_name <> all(o.public_tables)
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
      {"rls_update_check_weaker_than_using", "warn", nullptr, kRlsUpdateCheckWeakerThanUsing},
      {"rls_policy_to_public_on_authenticated_table", "warn", nullptr, kRlsPolicyToPublic},
  };
  return specs;
}

}  // namespace migsafe::checks
