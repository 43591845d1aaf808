// Supabase's performance lints about keys and indexes (splinter 0001, 0004, 0005, 0009), reported so
// the RLS step lists what the Supabase advisors list. table_bloat (0020) is left out: it estimates
// from planner statistics, which a migration run has not gathered.
#include "checks/rls_lint_sql.hpp"

namespace migsafe::checks {
namespace {

// Splinter 0001: a foreign key whose columns lead no valid index; deletes and updates on the
// referenced table then scan this one. The object is "schema.table.constraint".
constexpr const char* kUnindexedForeignKeys = R"SQL(
select r.name || '.' || k.conname,
       format('Foreign key `%s` of `%s` has no index that starts with its column(s): deletes and key updates '
              'on the table it references scan this one.', k.conname, r.name),
       format('create index on %I.%I (%s);', r.nspname, r.relname,
              (select string_agg(quote_ident(a.attname), ', ' order by x.n)
                 from unnest(k.conkey) with ordinality x(attnum, n)
                 join pg_attribute a on a.attrelid = r.oid and a.attnum = x.attnum))
from pg_constraint k join rels r on r.oid = k.conrelid
where k.contype = 'f' and not r.internal and not r.ext_member and r.nspname not in ('auth', 'storage', 'vault', 'extensions')
  and not exists (select 1 from pg_index i
                  where i.indrelid = r.oid and i.indisvalid
                    and (string_to_array(i.indkey::text, ' ')::smallint[])[1:cardinality(k.conkey)] = k.conkey)
)SQL";

// Splinter 0004.
constexpr const char* kNoPrimaryKey = R"SQL(
select r.name,
       format('Table `%s` has no primary key: rows cannot be told apart reliably (logical replication, '
              'Realtime and many tools need one).', r.name),
       format('Add one, e.g.: alter table %I.%I add column id bigint generated always as identity primary key;',
              r.nspname, r.relname)
from rels r
where r.relkind = 'r' and not r.internal and not r.ext_member
  and not exists (select 1 from pg_index i where i.indrelid = r.oid and i.indisprimary)
)SQL";

// Splinter 0009: indexes whose definitions differ only in their names. The object is
// "schema.table.index,index,...".
constexpr const char* kDuplicateIndex = R"SQL(
select r.name || '.' || string_agg(c.relname, ',' order by c.relname),
       format('Table `%s` has identical indexes %s: each costs writes and space for nothing.', r.name,
              string_agg(c.relname, ', ' order by c.relname)),
       format('Drop all but one, e.g.: drop index %I.%I;', r.nspname, max(c.relname))
from pg_index i join pg_class c on c.oid = i.indexrelid join rels r on r.oid = i.indrelid
where r.relkind in ('r', 'm') and not r.internal and not r.ext_member
group by r.name, r.nspname, replace(pg_get_indexdef(i.indexrelid), c.relname, '')
having count(*) > 1
)SQL";

// Splinter 0005: by the server's statistics (pg_stat_user_indexes), never scanned since they were
// last reset; an index created in this run has not been scanned either. The object is
// "schema.table.index".
constexpr const char* kUnusedIndex = R"SQL(
select r.name || '.' || s.indexrelname,
       format('Index `%s` on `%s` has not been used since the server''s statistics were last reset.',
              s.indexrelname, r.name),
       format('If it stays unused in production, drop it: drop index %I.%I;', r.nspname, s.indexrelname)
from pg_stat_user_indexes s join pg_index i on i.indexrelid = s.indexrelid join rels r on r.oid = s.relid
where s.idx_scan = 0 and not i.indisunique and not i.indisprimary and not r.internal and not r.ext_member
)SQL";

}  // namespace

const std::vector<LintSpec>& index_lint_specs() {
  static const std::vector<LintSpec> specs{
      {"unindexed_foreign_keys", "info", "0001_unindexed_foreign_keys", kUnindexedForeignKeys},
      {"no_primary_key", "info", "0004_no_primary_key", kNoPrimaryKey},
      {"unused_index", "info", "0005_unused_index", kUnusedIndex},
      {"duplicate_index", "warn", "0009_duplicate_index", kDuplicateIndex},
  };
  return specs;
}

}  // namespace migsafe::checks
