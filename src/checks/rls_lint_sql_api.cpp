// Lints about ways into the data besides PostgREST's tables: pg_graphql's introspection, pgmq's
// queue tables, Storage's public buckets. Filters as in Supabase's splinter, lint by lint.
#include <string>

#include "checks/rls_lint_sql.hpp"

namespace migsafe::checks {
namespace {

// Splinter 0026/0027: with pg_graphql installed, any relation of which %ROLE% may select a column
// is listed in the GraphQL schema (its name, columns and relations), whatever its RLS says.
constexpr const char* kGraphqlTableExposed = R"SQL(
select r.name,
       format('%s `%s` is visible in the GraphQL schema (/graphql/v1) to %s, because %s may select it.',
              case r.relkind when 'r' then 'Table' when 'v' then 'View' when 'm' then 'Materialized view'
                             else 'Foreign table' end, r.name,
              case a.rolname when 'anon' then 'anyone with the anon key' else 'any signed-in user' end,
              a.rolname),
       format('Revoke it if the object should not be discoverable: revoke select on %I.%I from %I;',
              r.nspname, r.relname, a.rolname)
from rels r join api a on a.rolname = '%ROLE%'
where exists (select 1 from pg_extension e where e.extname = 'pg_graphql')
  and r.relkind in ('r', 'v', 'm', 'f') and not r.internal
  and exists (select 1 from pg_attribute c where c.attrelid = r.oid and c.attnum > 0 and not c.attisdropped
              and has_column_privilege(a.oid, r.oid, c.attnum, 'SELECT'))
)SQL";

// Splinter 0019: with schema pgmq_public exposed, pgmq's queue tables (pgmq.q_<queue>) without RLS
// are read through its functions by anon or authenticated.
constexpr const char* kInsecureQueueExposed = R"SQL(
select r.name,
       format('Queue table `%s` has row level security disabled and anon or authenticated may select it, '
              'while pgmq_public exposes queues through the API: anyone can read its messages.', r.name),
       format('Enable row level security and add policies: alter table %I.%I enable row level security;',
              r.nspname, r.relname)
from rels r cross join opts o
where r.relkind = 'r' and r.nspname = 'pgmq' and r.relname like 'q_%' and not r.rls and r.api_select
  and 'pgmq_public' = any(o.exposed)
)SQL";

// Splinter 0025: a public bucket serves its files by URL without any policy; a broad SELECT policy
// on storage.objects (always true, or just bucket_id = '<bucket>') also lets clients list them all.
// The object is the bucket's id.
constexpr const char* kPublicBucketAllowsListing = R"SQL(
select b.id::text,
       format('Public bucket `%s` has broad SELECT %s on storage.objects (%s): clients can list every file '
              'in it, which public URLs do not need.', b.name,
              case count(*) when 1 then 'policy' else 'policies' end,
              string_agg(p.polname, ', ' order by p.polname)),
       'Drop the policy, or narrow it to what clients must list (e.g. their own folder).'
from storage.buckets b
  join pols p on p.nspname = 'storage' and p.relname = 'objects'
where b.public and p.command in ('SELECT', 'ALL') and p.permissive
  and (p.to_public or exists (select 1 from pg_roles w where w.oid = any(p.polroles)
                              and w.rolname in ('anon', 'authenticated')))
  and (p.qual is null
       or regexp_replace(lower(p.qual), '[ \n\t]', '', 'g') in ('true', '(true)', '1=1', '(1=1)')
       or substring(p.qual from '^\s*\(*\s*bucket_id\s*=\s*(''(?:[^'']|'''')*'')(?:\s*::\s*[[:alnum:]_.]+)?\s*\)*\s*$')
          = '''' || replace(b.id, '''', '''''') || '''')
group by b.id, b.name
)SQL";

// `sql` with its %ROLE% placeholder replaced by `role`: one query, two lint ids.
std::string for_role(std::string sql, const std::string& role) {
  return sql.replace(sql.find("%ROLE%"), 6, role);
}

}  // namespace

const std::vector<LintSpec>& api_lint_specs() {
  static const std::string anon = for_role(kGraphqlTableExposed, "anon");
  static const std::string authenticated = for_role(kGraphqlTableExposed, "authenticated");
  static const std::vector<LintSpec> specs{
      {"pg_graphql_anon_table_exposed", "warn", "0026_pg_graphql_anon_table_exposed", anon.c_str()},
      {"pg_graphql_authenticated_table_exposed", "warn", "0027_pg_graphql_authenticated_table_exposed",
       authenticated.c_str()},
      {"insecure_queue_exposed_in_api", "error", "0019_insecure_queue_exposed_in_api",
       kInsecureQueueExposed},
      {"public_bucket_allows_listing", "warn", "0025_public_bucket_allows_listing",
       kPublicBucketAllowsListing, "storage.buckets"},
  };
  return specs;
}

}  // namespace migsafe::checks
