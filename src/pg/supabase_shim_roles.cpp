// The roles of a Supabase project, as supabase/postgres's init scripts and migrations leave them
// (anon/authenticated/service_role inherit since 2023; service_role bypasses RLS), the
// `extensions` schema and the search_path that puts it after `public`.
//
// One deliberate difference: no role the emulation creates can log in. Supabase's admin roles log
// in with passwords it generates; on a shared plain server a password-less LOGIN role (or a LOGIN
// superuser) would open a door. Tests reach the roles with SET ROLE, which needs no login.
#include "pg/supabase_shim_parts.hpp"

namespace migsafe::pg::shim {
namespace {

struct Role {
  const char* name;
  const char* attributes;  // as in CREATE ROLE, always NOLOGIN here
};

// Attributes from supabase/postgres (init-scripts and migrations/db/migrations), LOGIN dropped.
const Role kRoles[] = {
    {"anon", "NOLOGIN INHERIT"},
    {"authenticated", "NOLOGIN INHERIT"},
    {"service_role", "NOLOGIN INHERIT BYPASSRLS"},
    {"authenticator", "NOLOGIN NOINHERIT"},
    {"supabase_admin", "NOLOGIN CREATEDB CREATEROLE REPLICATION BYPASSRLS"},
    {"supabase_auth_admin", "NOLOGIN NOINHERIT CREATEROLE NOREPLICATION"},
    {"supabase_storage_admin", "NOLOGIN NOINHERIT CREATEROLE NOREPLICATION"},
    {"supabase_functions_admin", "NOLOGIN NOINHERIT CREATEROLE NOREPLICATION"},
    {"supabase_realtime_admin", "NOLOGIN NOINHERIT"},
    {"supabase_replication_admin", "NOLOGIN REPLICATION"},
    {"supabase_read_only_user", "NOLOGIN BYPASSRLS"},
    {"dashboard_user", "NOLOGIN NOSUPERUSER CREATEDB CREATEROLE REPLICATION"},
    {"pgbouncer", "NOLOGIN"},
};

// Memberships: PostgREST's authenticator switches to the API roles; the project's owner (here the
// user installing the shim, `postgres` on Supabase) is a member of the API and admin roles. A
// grant that would make a membership loop (the user's own roles) is left out.
const char* kMemberships = R"SQL(
DO $shim$
DECLARE
  grant_sql text;
BEGIN
  FOREACH grant_sql IN ARRAY ARRAY[
    'GRANT anon, authenticated, service_role TO authenticator',
    'GRANT authenticator TO supabase_storage_admin',
    'GRANT pg_read_all_data TO supabase_read_only_user',
    'GRANT anon, authenticated, service_role TO CURRENT_USER',
    'GRANT supabase_auth_admin, supabase_storage_admin TO CURRENT_USER']
  LOOP
    BEGIN
      EXECUTE grant_sql;
    EXCEPTION WHEN invalid_grant_operation THEN
      RAISE NOTICE 'migsafe supabase shim: skipped % (%)', grant_sql, SQLERRM;
    END;
  END LOOP;
END
$shim$;
)SQL";

// Per-role settings Supabase makes (they apply when a role logs in, not on SET ROLE).
const char* kRoleSettings = R"SQL(
ALTER ROLE anon SET statement_timeout = '3s';
ALTER ROLE authenticated SET statement_timeout = '8s';
ALTER ROLE authenticator SET statement_timeout = '8s';
ALTER ROLE authenticator SET lock_timeout = '8s';
ALTER ROLE supabase_auth_admin SET search_path = auth;
ALTER ROLE supabase_storage_admin SET search_path = storage;
ALTER ROLE supabase_admin SET search_path = "$user", public, auth, extensions;
)SQL";

}  // namespace

std::string roles_sql() {
  std::string sql = "DO $shim$\nBEGIN\n";
  for (const auto& role : kRoles) {
    sql += std::string("  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '") + role.name +
           "') THEN CREATE ROLE " + role.name + " " + role.attributes + "; END IF;\n";
  }
  // Emulations before 2023's change made the API roles NOINHERIT; Supabase's are INHERIT now.
  sql +=
      "  ALTER ROLE anon INHERIT;\n  ALTER ROLE authenticated INHERIT;\n  ALTER ROLE service_role "
      "INHERIT;\n";
  sql += "END\n$shim$;\n";
  return sql + kMemberships + kRoleSettings;
}

std::string extensions_sql() {
  // A new project has these three in `extensions`; pgcrypto's crypt()/gen_salt() and uuid-ossp's
  // uuid_generate_v4() are called unqualified because `extensions` is on the search_path.
  return R"SQL(
CREATE SCHEMA IF NOT EXISTS extensions;
CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements WITH SCHEMA extensions;
GRANT USAGE ON SCHEMA extensions TO anon, authenticated, service_role;
GRANT ALL ON SCHEMA extensions TO dashboard_user;
DO $shim$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET search_path = "$user", public, extensions', current_database());
END
$shim$;
SET search_path = "$user", public, extensions;
)SQL";
}

}  // namespace migsafe::pg::shim
