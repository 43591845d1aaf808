// The two catalog queries of lock-impact measurement. Both are cheap by design: the per-statement
// one runs after every migration statement, so it filters out what is already known server-side.
#include "pg/lock_impact.hpp"

namespace migsafe::pg {
namespace {

// Schemas whose relations are never the migration's own business.
constexpr const char* kUserRelation =
    "n.nspname not in ('pg_catalog', 'information_schema', 'migsafe', 'supabase_migrations') "
    "and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp\\_%'";

constexpr const char* kKind =
    "case c.relkind when 'r' then 'table' when 'p' then 'partitioned table' when 'i' then 'index' "
    "when 'I' then 'partitioned index' when 'S' then 'sequence' when 'v' then 'view' "
    "when 'm' then 'materialized view' when 'f' then 'foreign table' else c.relkind::text end";

// `{a,b}` for a text[] parameter; the entries hold only digits, letters and '/' or ':'.
std::string array_literal(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + values[i];
  return out + "}";
}

std::string text(const Row& row, size_t i) { return row.at(i).value_or(""); }

}  // namespace

std::map<std::string, RelationState> user_relations(Session& session) {
  const std::string sql = std::string("select c.oid::text, n.nspname || '.' || c.relname, ") + kKind +
                          ", coalesce(pg_relation_filenode(c.oid)::text, '') from pg_class c "
                          "join pg_namespace n on n.oid = c.relnamespace where " + kUserRelation;
  std::map<std::string, RelationState> out;
  for (const Row& row : session.query(sql).rows) out[text(row, 0)] = RelationState{text(row, 1), text(row, 2), text(row, 3)};
  return out;
}

std::vector<RelationLock> own_relation_locks(Session& session, const std::vector<std::string>& known_keys,
                                             const std::vector<std::string>& known_filenodes) {
  const std::string sql = std::string(
      "with l as (select l.virtualtransaction || '/' || l.relation::text || '/' || l.mode as key, "
      "  l.relation, l.mode from pg_locks l where l.pid = pg_backend_pid() and l.locktype = 'relation' "
      "  and l.granted and l.database = (select oid from pg_database where datname = current_database())), "
      "r as (select l.key, l.relation, l.mode, l.key <> all($1::text[]) as is_new, c.oid as c_oid, "
      "  c.relkind, n.nspname || '.' || c.relname as name, ") + kKind + " as kind, "
      "  coalesce(pg_relation_filenode(c.oid)::text, '') as filenode, c.reltuples "
      "  from l left join pg_class c on c.oid = l.relation left join pg_namespace n on n.oid = c.relnamespace "
      "  where c.oid is null or (" + kUserRelation + ")) "
      "select key, relation::text, mode, is_new, name, kind, filenode, "
      "  case when is_new and relkind in ('r', 'm', 'i', 'S') then pg_table_size(c_oid) end, "
      "  case when is_new and reltuples >= 0 then reltuples end "
      "from r where is_new or (c_oid is not null and relation::text || ':' || filenode <> all($2::text[]))";
  std::vector<RelationLock> out;
  for (const Row& row : session.query(sql, {array_literal(known_keys), array_literal(known_filenodes)}).rows) {
    RelationLock lock;
    lock.key = text(row, 0);
    lock.oid = text(row, 1);
    lock.mode = text(row, 2);
    lock.is_new = text(row, 3) == "t";
    if (row.at(4)) lock.relation = RelationState{text(row, 4), text(row, 5), text(row, 6)};
    if (row.at(7)) lock.bytes = std::stoll(*row.at(7));
    if (row.at(8)) lock.rows = std::stod(*row.at(8));
    out.push_back(std::move(lock));
  }
  return out;
}

}  // namespace migsafe::pg
