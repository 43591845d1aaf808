// Works out a restore before anything changes (restore.cpp explains the design): the drop that
// empties the owned schemas, what that drop would take from outside them (found by trying it in a
// transaction that is rolled back), the archive entries that bring all of it back, and the undo of
// what the failed run changed outside the owned schemas.
#include "backup/restore_plan.hpp"

#include <algorithm>
#include <map>

#include "backup/owned_drop.hpp"
#include "backup/restore.hpp"
#include "pg/outside.hpp"
#include "pg/qualified_names.hpp"
#include "pg/session.hpp"

namespace migsafe::backup {
namespace {

using ObjectId = std::pair<unsigned long, unsigned long>;  // (catalog OID, object OID), as in the TOC

constexpr unsigned long kPgClass = 1259;  // pg_class's OID, the TOC's catalog id of relations

// Every object the user made (OIDs from FirstNormalObjectId on), in the catalogs pg_dump has
// TOC entries for.
const char* kObjectInventorySql = R"SQL(
select classid::oid, objid from (
  select 'pg_class'::regclass as classid, oid as objid from pg_class
  union all select 'pg_type'::regclass, oid from pg_type
  union all select 'pg_proc'::regclass, oid from pg_proc
  union all select 'pg_constraint'::regclass, oid from pg_constraint
  union all select 'pg_trigger'::regclass, oid from pg_trigger
  union all select 'pg_policy'::regclass, oid from pg_policy
  union all select 'pg_rewrite'::regclass, oid from pg_rewrite
  union all select 'pg_attrdef'::regclass, oid from pg_attrdef
  union all select 'pg_cast'::regclass, oid from pg_cast
  union all select 'pg_event_trigger'::regclass, oid from pg_event_trigger
  union all select 'pg_extension'::regclass, oid from pg_extension
  union all select 'pg_statistic_ext'::regclass, oid from pg_statistic_ext
  union all select 'pg_publication'::regclass, oid from pg_publication
  union all select 'pg_publication_rel'::regclass, oid from pg_publication_rel
  union all select 'pg_publication_namespace'::regclass, oid from pg_publication_namespace
  union all select 'pg_foreign_data_wrapper'::regclass, oid from pg_foreign_data_wrapper
  union all select 'pg_foreign_server'::regclass, oid from pg_foreign_server
  union all select 'pg_user_mapping'::regclass, oid from pg_user_mapping
  union all select 'pg_transform'::regclass, oid from pg_transform
  union all select 'pg_namespace'::regclass, oid from pg_namespace
  union all select 'pg_default_acl'::regclass, oid from pg_default_acl
  union all select 'pg_collation'::regclass, oid from pg_collation
  union all select 'pg_conversion'::regclass, oid from pg_conversion
  union all select 'pg_operator'::regclass, oid from pg_operator
  union all select 'pg_opclass'::regclass, oid from pg_opclass
  union all select 'pg_opfamily'::regclass, oid from pg_opfamily
  union all select 'pg_language'::regclass, oid from pg_language
  union all select 'pg_ts_config'::regclass, oid from pg_ts_config
  union all select 'pg_ts_dict'::regclass, oid from pg_ts_dict
) x where objid >= 16384
)SQL";

// The columns of tables outside the owned schemas: a drop that takes one (its type or default was
// owned) would take its data, so such a table comes back whole instead.
const char* kOutsideColumnsSql = R"SQL(
select a.attrelid, a.attnum from pg_attribute a
join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r','p','f') and a.attnum > 0 and not a.attisdropped and c.oid >= 16384
  and n.nspname <> all($1::text[]) and n.nspname not in ('pg_catalog', 'information_schema')
)SQL";

unsigned long to_ulong(const std::optional<std::string>& text) {
  return text ? std::stoul(*text) : 0;
}

std::string with_schemas(std::string sql, const std::string& schemas_literal) {
  for (size_t at = sql.find("$1::text[]"); at != std::string::npos; at = sql.find("$1::text[]", at)) {
    sql.replace(at, 10, schemas_literal);
  }
  return sql;
}

// What a drop takes along: objects that exist before it and not after, and the tables outside the
// owned schemas that survive it but lose a column.
struct Trial {
  std::set<ObjectId> lost;
  std::set<unsigned long> tables_losing_columns;
};

std::set<ObjectId> inventory(pg::Session& session) {
  std::set<ObjectId> out;
  for (const auto& row : session.query(kObjectInventorySql).rows) out.insert({to_ulong(row[0]), to_ulong(row[1])});
  return out;
}

std::set<std::pair<unsigned long, int>> outside_columns(pg::Session& session, const std::string& schemas_literal) {
  std::set<std::pair<unsigned long, int>> out;
  for (const auto& row : session.query(with_schemas(kOutsideColumnsSql, schemas_literal)).rows) {
    out.insert({to_ulong(row[0]), int(to_ulong(row[1]))});
  }
  return out;
}

// Tries `undo` then `drop` in a transaction it rolls back; what `undo` removes on purpose (the
// failed run's own objects) does not count as lost.
Trial try_drop(pg::Session& session, const std::string& undo, const std::string& drop,
               const std::string& schemas_literal) {
  std::set<ObjectId> objects_before, objects_after;
  std::set<std::pair<unsigned long, int>> columns_before, columns_after;
  session.exec("BEGIN");
  try {
    if (!undo.empty()) session.exec(undo);
    objects_before = inventory(session);
    columns_before = outside_columns(session, schemas_literal);
    session.exec(drop);
    objects_after = inventory(session);
    columns_after = outside_columns(session, schemas_literal);
  } catch (...) {
    session.exec("ROLLBACK");
    throw;
  }
  session.exec("ROLLBACK");
  Trial trial;
  for (const auto& id : objects_before) {
    if (!objects_after.count(id)) trial.lost.insert(id);
  }
  for (const auto& [table, column] : columns_before) {
    if (!columns_after.count({table, column}) && !trial.lost.count({kPgClass, table})) {
      trial.tables_losing_columns.insert(table);
    }
  }
  return trial;
}

std::string qualified_table(pg::Session& session, unsigned long oid) {
  return session.query("select $1::oid::regclass::text", {std::to_string(oid)}).scalar().value_or("");
}

// Objects whose definition an archive entry restores after the live one is dropped.
bool restorable_alone(const std::string& type) {
  static const std::set<std::string> types = {
      "policy", "trigger", "rule", "table constraint", "domain constraint", "index", "view", "materialized view",
      "function", "procedure", "aggregate", "statistics object", "event trigger", "publication relation"};
  return types.count(type) > 0;
}

// Drop order: parts of tables first, then relations, routines and types, schemas last.
int drop_rank(const std::string& type) {
  if (type == "schema") return 4;
  if (type == "extension") return 3;
  if (type == "function" || type == "procedure" || type == "aggregate" || type == "type") return 2;
  if (type == "table" || type == "sequence" || type == "foreign table" || type == "composite type") return 1;
  if (type == "view" || type == "materialized view") return 1;
  return 0;
}

// The undo of what the failed run changed outside the owned schemas, as far as it can be undone.
struct OutsideUndo {
  std::string sql;                        // REVOKE/GRANT, DROP
  std::set<ObjectId> revive;              // archive entries to bring back
  std::set<unsigned long> whole_tables;   // tables to drop and bring back whole
  std::vector<DataRevert> reverts;
  std::vector<const TocEntry*> revert_entries;
  std::vector<std::string> notes;
};

const TocEntry* table_data_entry(const std::vector<TocEntry>& toc, unsigned long table_oid) {
  for (const auto& e : toc) {
    if (e.desc == "TABLE DATA" && e.object_oid == table_oid) return &e;
  }
  return nullptr;
}

std::string revert_sql(const std::string& table, const std::string& scratch, const std::string& columns_t,
                       const std::string& columns_b, const std::string& columns, const std::string& run_xids,
                       const std::string& extra) {
  const std::string live_rows = "(SELECT t.ctid AS row_id, t.xmin::text AS writer, row(" + columns_t +
                                ")::text AS r, row_number() OVER (PARTITION BY row(" + columns_t +
                                ")::text) AS n FROM ONLY " + table + " t)";
  const std::string old_rows = "(SELECT row(" + columns_b + ")::text AS r, row_number() OVER (PARTITION BY row(" +
                               columns_b + ")::text) AS n FROM " + scratch + " b)";
  return "CREATE TEMP TABLE " + extra + " ON COMMIT DROP AS SELECT l.row_id, l.writer FROM " + live_rows +
         " l WHERE NOT EXISTS (SELECT 1 FROM " + old_rows + " o WHERE o.r = l.r AND o.n = l.n);\n" +
         "DO $migsafe_revert$ BEGIN\n"
         "  IF NOT EXISTS (SELECT 1 FROM " + extra + " WHERE writer <> ALL ('" + run_xids + "'::text[])) THEN\n" +
         "    DELETE FROM ONLY " + table + " t USING " + extra + " e WHERE t.ctid = e.row_id;\n" +
         "    INSERT INTO " + table + " (" + columns + ") OVERRIDING SYSTEM VALUE SELECT " + columns +
         " FROM (SELECT b.*, row(" + columns_b + ")::text AS migsafe_r, row_number() OVER (PARTITION BY row(" +
         columns_b + ")::text) AS migsafe_n FROM " + scratch + " b) o WHERE NOT EXISTS (SELECT 1 FROM " +
         "(SELECT row(" + columns_t + ")::text AS r, row_number() OVER (PARTITION BY row(" + columns_t +
         ")::text) AS n FROM ONLY " + table + " t) l WHERE l.r = o.migsafe_r AND l.n = o.migsafe_n);\n" +
         "  END IF;\n"
         "END $migsafe_revert$;\n";
}

// The transactions that committed this run's migrations: each wrote its ledger row.
std::string run_transactions(pg::Session& session, const std::string& run_id) {
  if (run_id.empty() || session.query("select to_regclass('migsafe.migrations') is not null").scalar() != "t") {
    return "{}";
  }
  return session
      .query("select '{' || coalesce(string_agg(xmin::text, ','), '') || '}' from migsafe.migrations where run_id = $1",
             {run_id})
      .scalar()
      .value_or("{}");
}

void plan_data_reverts(pg::Session& session, const std::vector<TocEntry>& toc, const RestoreRequest& request,
                       const pg::OutsideSnapshot& now, OutsideUndo& undo) {
  const pg::OutsideSnapshot& before = *request.outside_before;
  std::map<std::string, unsigned long> table_oids;
  std::map<unsigned long, std::vector<int>> columns_before;
  for (const auto& o : before.objects) {
    if (o.type == "table") table_oids[o.identity] = o.objid;
    if (o.type == "table column") columns_before[o.objid].push_back(o.objsubid);
  }
  const std::string xids = run_transactions(session, request.run_id);
  for (const auto& [table, hash] : before.data) {
    auto it = now.data.find(table);
    if (it == now.data.end() || it->second == hash || !table_oids.count(table)) continue;
    unsigned long oid = table_oids[table];
    if (undo.whole_tables.count(oid)) continue;
    const TocEntry* entry = table_data_entry(toc, oid);
    if (entry == nullptr) continue;
    std::string attnums = "{";
    for (int n : columns_before[oid]) attnums += (attnums.size() > 1 ? "," : "") + std::to_string(n);
    attnums += "}";
    pg::Rows cols = session.query(
        "select string_agg(quote_ident(attname), ', ' order by attnum), "
        "string_agg('t.' || quote_ident(attname), ', ' order by attnum), "
        "string_agg('b.' || quote_ident(attname), ', ' order by attnum) from pg_attribute "
        "where attrelid = $1::regclass and attnum > 0 and not attisdropped and attgenerated = '' "
        "and attnum = any($2::int[])",
        {table, attnums});
    if (cols.rows.empty() || !cols.rows[0][0]) continue;
    DataRevert revert;
    revert.table = table;
    revert.scratch = "pg_temp.migsafe_before_" + std::to_string(undo.reverts.size() + 1);
    const std::string extra = "pg_temp.migsafe_extra_" + std::to_string(undo.reverts.size() + 1);
    revert.prepare_sql = "CREATE TEMP TABLE " + revert.scratch + " ON COMMIT DROP AS SELECT " + *cols.rows[0][0] +
                         " FROM ONLY " + table + " WITH NO DATA;\n";
    revert.apply_sql = revert_sql(table, revert.scratch, *cols.rows[0][1], *cols.rows[0][2], *cols.rows[0][0], xids, extra);
    undo.reverts.push_back(std::move(revert));
    undo.revert_entries.push_back(entry);
    undo.notes.push_back("rows of " + table + " put back to their pre-run state");
  }
}

OutsideUndo plan_outside_undo(pg::Session& session, const std::vector<TocEntry>& toc, const RestoreRequest& request) {
  OutsideUndo undo;
  if (request.outside_before == nullptr || !request.outside_before->taken) return undo;
  const pg::OutsideSnapshot& before = *request.outside_before;
  pg::OutsideSnapshot now = pg::take_outside_snapshot(session, request.schemas);
  std::map<std::string, const pg::OutsideObject*> was, is;
  for (const auto& o : before.objects) was[o.key()] = &o;
  for (const auto& o : now.objects) is[o.key()] = &o;

  std::vector<std::pair<int, std::string>> drops;
  for (const auto& [key, o] : is) {
    auto old = was.find(key);
    if (o->type == "privileges") {
      if (old != was.end() && old->second->definition != o->definition) {
        undo.sql += pg::revert_privileges_sql(session, o->grant_target, old->second->acl, o->acl) + "\n";
        undo.notes.push_back("privileges on " + o->identity + " put back");
      }
      continue;
    }
    if (old == was.end() && !o->drop_sql.empty()) {
      drops.push_back({drop_rank(o->type), o->drop_sql});
      undo.notes.push_back(key + ", made by the failed run, dropped");
    }
  }
  for (const auto& [key, o] : was) {
    if (o->type == "privileges") continue;
    auto cur = is.find(key);
    if (cur != is.end() && cur->second->definition == o->definition) continue;
    if (o->type == "table" || o->type == "table column") {
      undo.whole_tables.insert(o->objid);
      undo.notes.push_back(key + " changed by the failed run: its table comes back whole from the backup");
    } else if (restorable_alone(o->type)) {
      if (cur != is.end()) drops.push_back({drop_rank(o->type), cur->second->drop_sql});
      undo.revive.insert({o->classid, o->objid});
      undo.notes.push_back(key + " changed by the failed run: brought back from the backup");
    }
  }
  std::stable_sort(drops.begin(), drops.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& d : drops) undo.sql += d.second + "\n";
  plan_data_reverts(session, toc, request, now, undo);
  return undo;
}

bool owned_entry(const TocEntry& e, const std::vector<std::string>& schemas) {
  for (const auto& s : schemas) {
    if (e.schema == s) return true;
    if (e.desc == "SCHEMA" && e.tag == s) return true;
    if ((e.desc == "COMMENT" || e.desc == "ACL") && e.schema == "-" && e.tag == "SCHEMA " + s) return true;
  }
  return (e.desc == "TABLE DATA" && ((e.schema == "supabase_migrations" && e.tag == "schema_migrations") ||
                                     (e.schema == "migsafe" && e.tag == "migrations")));
}

// The entries to restore: the owned schemas', those of objects the drop takes (or the undo
// revives), everything that depends on a table coming back whole, and the entries without a
// catalog identity of their own (data, comments, ACLs, sequence values) of any of these.
std::string select_entries(const std::vector<TocEntry>& toc, const std::vector<std::string>& schemas,
                           const std::set<ObjectId>& objects, const std::set<unsigned long>& whole_tables) {
  std::map<long, size_t> by_id;
  for (size_t i = 0; i < toc.size(); ++i) by_id[toc[i].dump_id] = i;
  std::vector<bool> wanted(toc.size(), false), whole(toc.size(), false);
  for (size_t i = 0; i < toc.size(); ++i) {
    const TocEntry& e = toc[i];
    whole[i] = e.catalog_oid == kPgClass && whole_tables.count(e.object_oid) > 0;
    wanted[i] = whole[i] || owned_entry(e, schemas) || objects.count({e.catalog_oid, e.object_oid}) > 0;
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < toc.size(); ++i) {
      for (long dep : toc[i].depends_on) {
        auto it = by_id.find(dep);
        if (it == by_id.end()) continue;
        bool follows = whole[it->second] || (wanted[it->second] && toc[i].catalog_oid == 0);
        if (follows && !wanted[i]) wanted[i] = changed = true;
        if (whole[it->second] && !whole[i]) whole[i] = changed = true;
      }
    }
  }
  std::string list;
  for (size_t i = 0; i < toc.size(); ++i) {
    if (wanted[i]) list += toc[i].line + "\n";
  }
  return list;
}

}  // namespace

RestorePlan plan_restore(pg::Session& session, const std::vector<TocEntry>& toc, const RestoreRequest& request) {
  pg::QualifiedNames qualified(session);
  const std::string schemas_literal = pg::text_array(session, request.schemas);
  RestorePlan plan;
  OutsideUndo undo = plan_outside_undo(session, toc, request);
  plan.undo_outside = undo.sql;
  plan.notes = undo.notes;

  const std::string owned_drop = owned_drop_sql(session, toc, request.schemas);
  std::set<unsigned long> whole = undo.whole_tables;
  Trial trial;
  for (int round = 0; round < 8; ++round) {
    std::string drop;
    for (unsigned long table : whole) {
      std::string name = qualified_table(session, table);
      if (name != std::to_string(table)) drop += "DROP TABLE IF EXISTS " + name + " CASCADE;\n";
    }
    plan.drop = drop + owned_drop;
    trial = try_drop(session, plan.undo_outside, plan.drop, schemas_literal);
    size_t known = whole.size();
    for (unsigned long table : trial.tables_losing_columns) {
      if (whole.insert(table).second) {
        plan.notes.push_back(qualified_table(session, table) +
                             " has a column that depends on the owned schemas: it comes back whole from the backup");
      }
    }
    if (whole.size() == known) break;
  }
  std::set<ObjectId> objects = trial.lost;
  objects.insert(undo.revive.begin(), undo.revive.end());
  plan.list = select_entries(toc, request.schemas, objects, whole);
  for (size_t i = 0; i < undo.reverts.size(); ++i) plan.revert_list += undo.revert_entries[i]->line + "\n";
  plan.reverts = std::move(undo.reverts);
  return plan;
}

}  // namespace migsafe::backup
