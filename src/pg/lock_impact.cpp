// The catalog queries of lock-impact measurement: which relations exist, which locks the session's
// own backend holds (filtered by pid, diffed by the caller), and the state of the relations locked.
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

// `{a,b}` for an array parameter of oids.
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

std::vector<OwnLock> own_relation_locks(Session& session) {
  static const std::string sql =
      "select l.virtualtransaction, l.relation::text, l.mode from pg_locks l where l.pid = pg_backend_pid() "
      "and l.locktype = 'relation' and l.granted "
      "and l.database = (select oid from pg_database where datname = current_database())";
  std::vector<OwnLock> out;
  for (const Row& row : session.query(sql).rows) out.push_back(OwnLock{text(row, 0), text(row, 1), text(row, 2)});
  return out;
}

std::map<std::string, RelationDetail> relation_details(Session& session, const std::vector<std::string>& oids,
                                                       const std::vector<std::string>& sized) {
  std::map<std::string, RelationDetail> out;
  if (oids.empty()) return out;
  const std::string sql = std::string("select c.oid::text, n.nspname || '.' || c.relname, ") + kKind +
                          ", coalesce(pg_relation_filenode(c.oid)::text, ''), "
                          "case when s.oid is not null and c.relkind in ('r', 'm', 'i', 'S') then pg_table_size(c.oid) end, "
                          "case when s.oid is not null and c.reltuples >= 0 then c.reltuples end "
                          "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                          "left join (select distinct unnest($2::oid[]) as oid) s on s.oid = c.oid "
                          "where c.oid = any($1::oid[]) and " + kUserRelation;
  for (const Row& row : session.query(sql, {array_literal(oids), array_literal(sized)}).rows) {
    RelationDetail detail{RelationState{text(row, 1), text(row, 2), text(row, 3)}, std::nullopt, std::nullopt};
    if (row.at(4)) detail.bytes = std::stoll(*row.at(4));
    if (row.at(5)) detail.rows = std::stod(*row.at(5));
    out[text(row, 0)] = std::move(detail);
  }
  return out;
}

}  // namespace migsafe::pg
