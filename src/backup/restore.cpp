#include "backup/restore.hpp"

#include <fstream>
#include <set>
#include <stdexcept>
#include <thread>

#include "backup/archive.hpp"
#include "backup/toc.hpp"
#include "pg/fingerprint.hpp"
#include "pg/session.hpp"
#include "util/byte_queue.hpp"
#include "util/process.hpp"
#include "util/progress.hpp"
#include "util/temp_dir.hpp"

namespace migsafe::backup {
namespace {

// Objects outside the owned schemas that can hang off objects inside them (a trigger on auth.users
// calling public.handle_new_user(), a view in another schema, a foreign key): dropping the owned
// schemas' contents drops these too, so they must come back from the archive. Keyed as pg_dump's TOC.
const char* kOutsideDependentsSql = R"SQL(
with outside as (
  select oid, nspname from pg_namespace
  where nspname <> all($1::text[]) and nspname not in ('pg_catalog', 'information_schema')
    and nspname not like 'pg\_toast%' and nspname not like 'pg\_temp%'
)
select 'TRIGGER', o.nspname, c.relname || ' ' || t.tgname
  from pg_trigger t join pg_class c on c.oid = t.tgrelid join outside o on o.oid = c.relnamespace
  where not t.tgisinternal
union all
select 'CONSTRAINT', o.nspname, c.relname || ' ' || con.conname
  from pg_constraint con join pg_class c on c.oid = con.conrelid join outside o on o.oid = c.relnamespace
union all
select 'POLICY', o.nspname, c.relname || ' ' || p.polname
  from pg_policy p join pg_class c on c.oid = p.polrelid join outside o on o.oid = c.relnamespace
union all
select case c.relkind when 'v' then 'VIEW' when 'm' then 'MATERIALIZED VIEW' else 'INDEX' end, o.nspname, c.relname
  from pg_class c join outside o on o.oid = c.relnamespace where c.relkind in ('v', 'm', 'i')
union all
select 'RULE', o.nspname, c.relname || ' ' || r.rulename
  from pg_rewrite r join pg_class c on c.oid = r.ev_class join outside o on o.oid = c.relnamespace
  where r.rulename <> '_RETURN'
)SQL";

// Everything directly in a schema, as DROP statements; extension members and internal objects go
// with their owners.
const char* kSchemaContentsSql = R"SQL(
select format('DROP %s IF EXISTS %s CASCADE;', upper(i.type), i.identity)
from pg_depend d cross join lateral pg_identify_object(d.classid, d.objid, d.objsubid) i
where d.refclassid = 'pg_namespace'::regclass and d.refobjid = to_regnamespace($1)::oid and d.deptype = 'n'
  and not exists (select 1 from pg_depend e where e.classid = d.classid and e.objid = d.objid and e.deptype in ('e', 'i'))
)SQL";

using Key = std::string;  // "DESC|schema|tag"

Key key_of(const std::string& desc, const std::string& schema, const std::string& tag) {
  return desc + "|" + schema + "|" + tag;
}

std::string normalise_desc(const std::string& desc) {
  if (desc == "FK CONSTRAINT" || desc == "CHECK CONSTRAINT") return "CONSTRAINT";
  if (desc == "MATERIALIZED VIEW DATA") return "MATERIALIZED VIEW";
  return desc;
}

std::string schemas_array(pg::Session& session, const std::vector<std::string>& schemas) {
  return pg::text_array(session, schemas);
}

std::set<Key> outside_dependents(pg::Session& session, const std::vector<std::string>& schemas) {
  std::set<Key> keys;
  std::string sql = kOutsideDependentsSql;
  sql.replace(sql.find("$1::text[]"), 10, schemas_array(session, schemas));
  for (const auto& row : session.query(sql).rows) keys.insert(key_of(*row[0], *row[1], *row[2]));
  return keys;
}

bool has_schema_entry(const std::vector<TocEntry>& toc, const std::string& schema) {
  for (const auto& e : toc) {
    if (e.desc == "SCHEMA" && e.tag == schema) return true;
  }
  return false;
}

bool mentions_schema(const std::vector<TocEntry>& toc, const std::string& schema) {
  for (const auto& e : toc) {
    if (e.schema == schema || e.tag == "SCHEMA " + schema) return true;
  }
  return false;
}

// SQL that empties the owned schemas (and the history tables) before the archive's entries come back.
std::string drop_sql(pg::Session& session, const std::vector<TocEntry>& toc, const std::vector<std::string>& schemas) {
  std::string sql;
  for (const auto& schema : schemas) {
    bool exists = session.query("select to_regnamespace($1) is not null", {schema}).scalar() == "t";
    if (!exists) continue;
    if (has_schema_entry(toc, schema) || !mentions_schema(toc, schema)) {
      sql += "DROP SCHEMA " + session.quote_name(schema) + " CASCADE;\n";
      continue;
    }
    for (const auto& row : session.query(kSchemaContentsSql, {schema}).rows) sql += *row[0] + "\n";
  }
  for (const char* table : {"supabase_migrations.schema_migrations", "migsafe.migrations"}) {
    if (session.query("select to_regclass($1) is not null", {std::string(table)}).scalar() == "t") {
      sql += std::string("TRUNCATE ") + table + ";\n";
    }
  }
  return sql;
}

// Which dependents outside the owned schemas the drop would take with it: found by trying it.
std::set<Key> lost_by_drop(pg::Session& session, const std::string& drop, const std::vector<std::string>& schemas) {
  std::set<Key> before = outside_dependents(session, schemas);
  session.exec("BEGIN");
  std::set<Key> after;
  try {
    session.exec(drop);
    after = outside_dependents(session, schemas);
  } catch (...) {
    session.exec("ROLLBACK");
    throw;
  }
  session.exec("ROLLBACK");
  std::set<Key> lost;
  for (const auto& k : before) {
    if (!after.count(k)) lost.insert(k);
  }
  return lost;
}

bool wanted(const TocEntry& e, const std::vector<std::string>& schemas, const std::set<Key>& lost) {
  for (const auto& s : schemas) {
    if (e.schema == s) return true;
    if (e.desc == "SCHEMA" && e.tag == s) return true;
    if ((e.desc == "COMMENT" || e.desc == "ACL") && e.schema == "-" && e.tag == "SCHEMA " + s) return true;
  }
  if (e.desc == "TABLE DATA" && ((e.schema == "supabase_migrations" && e.tag == "schema_migrations") ||
                                 (e.schema == "migsafe" && e.tag == "migrations"))) {
    return true;
  }
  return lost.count(key_of(normalise_desc(e.desc), e.schema, e.tag)) > 0;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string verify_sql(pg::Session& session, const RestoreRequest& request) {
  return "DO $migsafe$ DECLARE got text := " + pg::fingerprint_hash_sql(schemas_array(session, request.schemas)) +
         "; BEGIN IF got IS DISTINCT FROM " + session.quote(request.expected_fingerprint) +
         " THEN RAISE EXCEPTION 'migsafe: the restored schema fingerprint % differs from the backup''s %', got, " +
         session.quote(request.expected_fingerprint) + "; END IF; END $migsafe$;\n";
}

}  // namespace

void restore_owned_schemas(pg::Session& session, const RestoreRequest& request) {
  std::vector<TocEntry> toc = parse_toc(
      list_archive(request.data_file, request.compression, request.pg_restore_path, request.key));
  const std::string drop = drop_sql(session, toc, request.schemas);
  const std::set<Key> lost = lost_by_drop(session, drop, request.schemas);

  util::TempDir work("migsafe-restore-");
  std::string list;
  for (const auto& e : toc) {
    if (wanted(e, request.schemas, lost)) list += e.line + "\n";
  }
  write_file(work.path() / "list.txt", list);
  write_file(work.path() / "drop.sql", drop);
  write_file(work.path() / "verify.sql", verify_sql(session, request));

  // psql applies drop.sql, then the archive's script from stdin, then verify.sql, all in one
  // transaction. Its stdin is fed by us, not by pg_restore directly, so that a pg_restore that
  // fails half-way never reaches EOF: psql is killed instead and its transaction rolls back.
  util::ByteQueue script;
  util::Command psql;
  psql.argv = {request.psql_path, "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1",
               "--single-transaction", "--dbname=" + request.target.without_password(),
               "--file=" + (work.path() / "drop.sql").string(), "--file=-",
               "--file=" + (work.path() / "verify.sql").string()};
  psql.env = request.target.child_environment();
  psql.stdin_source = [&script](char* buffer, size_t capacity) { return script.pop(buffer, capacity); };
  psql.on_stdout = [](std::string_view) {};
  util::ProcessResult applied;
  std::exception_ptr psql_failure;
  std::thread psql_thread([&] {
    try {
      applied = util::run_process(psql);
    } catch (...) {
      psql_failure = std::current_exception();
    }
  });

  util::Command restore;
  restore.argv = {request.pg_restore_path, "--file=-", "--use-list=" + (work.path() / "list.txt").string()};
  if (std::filesystem::is_directory(request.data_file)) {
    restore.argv.push_back(request.data_file.string());  // directory format: read in place
  } else {
    restore.stdin_source = open_archive_stream(request.data_file, request.compression, request.key);
  }
  util::Progress progress("restore");
  restore.on_stdout = [&script, &progress](std::string_view chunk) {
    progress.add(chunk.size());
    script.push(chunk);
  };
  util::ProcessResult produced;
  try {
    produced = util::run_process(restore);
  } catch (...) {
    script.abort();
    psql_thread.join();
    throw;
  }
  if (produced.ok()) script.close();
  else script.abort();
  psql_thread.join();

  if (!produced.ok()) throw std::runtime_error("pg_restore " + produced.describe() + ": " + produced.stderr_text);
  if (psql_failure) std::rethrow_exception(psql_failure);
  if (!applied.ok()) {
    throw std::runtime_error(pg::redact_password("psql " + applied.describe() + ": " + applied.stderr_text,
                                                 request.target.password()));
  }
}

}  // namespace migsafe::backup
