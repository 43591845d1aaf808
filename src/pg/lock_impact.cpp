// The catalog queries of lock-impact measurement: which relations exist, and which locks the
// session's own backend took since the last read (filtered by pid, diffed on the server against the
// locks already seen), with the state and size of the relations locked.
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

std::string text(const Row& row, size_t i) { return row.at(i).value_or(""); }

constexpr const char* kClock = "(extract(epoch from pg_catalog.clock_timestamp()) * 1000)::text";

}  // namespace

std::map<std::string, RelationState> user_relations(Session& session) {
  const std::string sql = std::string("select c.oid::text, n.nspname || '.' || c.relname, ") + kKind +
                          ", coalesce(pg_relation_filenode(c.oid)::text, '') from pg_class c "
                          "join pg_namespace n on n.oid = c.relnamespace where " + kUserRelation;
  std::map<std::string, RelationState> out;
  for (const Row& row : session.query(sql).rows) out[text(row, 0)] = RelationState{text(row, 1), text(row, 2), text(row, 3)};
  return out;
}

std::string own_lock_read_sql() {
  const std::string relation = std::string(
      "(select c.oid, n.nspname || '.' || c.relname as name, ") + kKind + " as kind, "
      "coalesce(pg_catalog.pg_relation_filenode(c.oid)::text, '') as filenode, c.relkind, c.reltuples "
      "from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace where " + kUserRelation + ")";
  return std::string("with own as (select l.virtualtransaction as vxid, l.relation, l.mode from pg_catalog.pg_locks l "
                     "where l.pid = pg_catalog.pg_backend_pid() and l.locktype = 'relation' and l.granted "
                     "and l.database = (select oid from pg_catalog.pg_database where datname = pg_catalog.current_database()) "
                     "and not (l.virtualtransaction = $1::pg_catalog.text and (l.relation, l.mode) in "
                     "(select * from rows from (pg_catalog.unnest($2::pg_catalog.oid[]), pg_catalog.unnest($3::pg_catalog.text[]))))) "
                     "select 'lock', o.vxid, o.relation::text, o.mode, r.name, r.kind, r.filenode, "
                     "case when r.relkind in ('r', 'm', 'i', 'S') and r.oid <= $5::pg_catalog.oid "
                     "then pg_catalog.pg_table_size(r.oid) end, "
                     "case when r.reltuples >= 0 then r.reltuples end, pg_catalog.pg_stat_get_xact_numscans(r.oid) "
                     "from own o left join ") + relation + " r on r.oid = o.relation "
         "union all select 'watched', null, r.oid::text, null, r.name, r.kind, r.filenode, null, null, "
         "pg_catalog.pg_stat_get_xact_numscans(r.oid) from " + relation + " r where r.oid = any($4::pg_catalog.oid[]) "
         "union all select 'at', null, " + kClock + ", null, null, null, null, null, null, null";
}

std::vector<std::optional<std::string>> own_lock_read_params(const std::string& vxid, const std::set<SeenLock>& seen,
                                                             const std::set<std::string>& watched,
                                                             unsigned long sized_up_to) {
  // Array literals of plain elements: oids are digits and lock modes letters, so none needs quoting.
  std::string oids = "{", modes = "{", watched_oids = "{";
  for (const auto& [oid, mode] : seen) {
    oids += (oids.size() > 1 ? "," : "") + oid;
    modes += (modes.size() > 1 ? "," : "") + mode;
  }
  for (const auto& oid : watched) watched_oids += (watched_oids.size() > 1 ? "," : "") + oid;
  return {vxid, oids + "}", modes + "}", watched_oids + "}", std::to_string(sized_up_to)};
}

std::string clock_read_sql() { return std::string("select 'at', null::text, ") + kClock; }

std::optional<double> read_clock_ms(const Rows& rows) {
  for (const Row& row : rows.rows) {
    if (text(row, 0) == "at" && row.size() > 2 && row[2]) return std::stod(*row[2]);
  }
  return std::nullopt;
}

OwnLockRead parse_own_lock_read(const Rows& rows) {
  OwnLockRead out;
  for (const Row& row : rows.rows) {
    if (text(row, 0) == "at") continue;
    RelationState state{text(row, 4), text(row, 5), text(row, 6), row.at(9) ? std::stoll(*row.at(9)) : 0};
    if (text(row, 0) == "watched") {
      out.watched[text(row, 2)] = std::move(state);
      continue;
    }
    OwnLock lock{text(row, 1), text(row, 2), text(row, 3), std::nullopt};
    if (row.at(4)) {
      RelationDetail detail{std::move(state), std::nullopt, std::nullopt};
      if (row.at(7)) detail.bytes = std::stoll(*row.at(7));
      if (row.at(8)) detail.rows = std::stod(*row.at(8));
      lock.relation = std::move(detail);
    }
    out.locks.push_back(std::move(lock));
  }
  return out;
}

OwnLockRead read_own_locks(Session& session, const std::vector<std::optional<std::string>>& params) {
  return parse_own_lock_read(session.query(own_lock_read_sql(), params));
}

}  // namespace migsafe::pg
