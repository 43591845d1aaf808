#include "backup/owned_drop.hpp"

#include "pg/session.hpp"

namespace migsafe::backup {
namespace {

// Everything directly in a schema, as DROP statements; extension members and internal objects go
// with their owners.
const char* kSchemaContentsSql = R"SQL(
select format('DROP %s IF EXISTS %s CASCADE;', upper(i.type), i.identity)
from pg_depend d cross join lateral pg_identify_object(d.classid, d.objid, d.objsubid) i
where d.refclassid = 'pg_namespace'::regclass and d.refobjid = to_regnamespace($1)::oid and d.deptype = 'n'
  and not exists (select 1 from pg_depend e where e.classid = d.classid and e.objid = d.objid and e.deptype in ('e', 'i'))
)SQL";

// Returns `public` to initdb's state, changing only what differs (so that a role that could not
// make a change is not asked to undo one that was never made). Its default privileges go too, so
// that the tables the archive recreates do not pick them up (the archive's ACL entries, applied
// after every table, put back both the tables' own grants and the default privileges); those of
// roles the restoring role cannot act for are left, as they never apply to what it creates.
const char* kResetPublicSql = R"SQL(DO $migsafe$
DECLARE
  g record;
  kinds constant jsonb := '{"r": "TABLES", "S": "SEQUENCES", "f": "FUNCTIONS", "T": "TYPES"}';
BEGIN
  IF (SELECT nspowner FROM pg_namespace WHERE nspname = 'public') <> 'pg_database_owner'::regrole THEN
    ALTER SCHEMA public OWNER TO pg_database_owner;
  END IF;
  FOR g IN SELECT DISTINCT a.grantee FROM pg_namespace n, aclexplode(n.nspacl) a
           WHERE n.nspname = 'public' AND a.grantee NOT IN (0, 'pg_database_owner'::regrole) LOOP
    EXECUTE format('REVOKE ALL ON SCHEMA public FROM %I CASCADE', g.grantee::regrole::text);
  END LOOP;
  GRANT USAGE ON SCHEMA public TO PUBLIC;
  GRANT ALL ON SCHEMA public TO pg_database_owner;
  IF EXISTS (SELECT 1 FROM pg_namespace n, aclexplode(n.nspacl) a
             WHERE n.nspname = 'public' AND a.grantee = 0 AND a.privilege_type <> 'USAGE') THEN
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
  END IF;
  IF obj_description('public'::regnamespace, 'pg_namespace') IS DISTINCT FROM 'standard public schema' THEN
    COMMENT ON SCHEMA public IS 'standard public schema';
  END IF;
  FOR g IN SELECT d.defaclrole::regrole::text AS owner, d.defaclobjtype AS kind,
                  CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE quote_ident(a.grantee::regrole::text) END AS grantee
           FROM pg_default_acl d, aclexplode(d.defaclacl) a
           WHERE d.defaclnamespace = 'public'::regnamespace AND pg_has_role(d.defaclrole, 'MEMBER') LOOP
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public REVOKE ALL ON %s FROM %s CASCADE',
                   g.owner, kinds ->> g.kind::text, g.grantee);
  END LOOP;
END $migsafe$;
)SQL";

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

}  // namespace

std::string owned_drop_sql(pg::Session& session, const std::vector<TocEntry>& toc,
                           const std::vector<std::string>& schemas) {
  std::string sql;
  for (const auto& schema : schemas) {
    bool exists = session.query("select to_regnamespace($1) is not null", {schema}).scalar() == "t";
    if (!exists) continue;
    if (schema != "public" && (has_schema_entry(toc, schema) || !mentions_schema(toc, schema))) {
      sql += "DROP SCHEMA " + session.quote_name(schema) + " CASCADE;\n";
      continue;
    }
    for (const auto& row : session.query(kSchemaContentsSql, {schema}).rows) sql += *row[0] + "\n";
    if (schema == "public") sql += kResetPublicSql;
  }
  for (const char* table : {"supabase_migrations.schema_migrations", "migsafe.migrations"}) {
    if (session.query("select to_regclass($1) is not null", {std::string(table)}).scalar() == "t") {
      sql += std::string("TRUNCATE ") + table + ";\n";
    }
  }
  return sql;
}

}  // namespace migsafe::backup
