// The Supabase emulation (`supabase-shim` on a plain database, built into `--ephemeral`) behaves as a
// new Supabase project does for what real migrations, seeds and tests touch. The references below
// are data taken from Supabase's own sources, not from our shim: the column lists are what
// GoTrue's migrations (supabase/auth, migrations/*.up.sql) and Storage's tenant migrations
// (supabase/storage, migrations/tenant) leave when run in order on PostgreSQL 15, printed by the
// query in `columns_of`; the roles are those of supabase/postgres's init scripts and migrations.
#include <catch2/catch.hpp>

#include <string>

#include "harness.hpp"

using migsafe::test::Project;

namespace {

const char* kAuthUsers = R"(instance_id uuid
id uuid not null
aud character varying(255)
role character varying(255)
email character varying(255)
encrypted_password character varying(255)
email_confirmed_at timestamp with time zone
invited_at timestamp with time zone
confirmation_token character varying(255)
confirmation_sent_at timestamp with time zone
recovery_token character varying(255)
recovery_sent_at timestamp with time zone
email_change_token_new character varying(255)
email_change character varying(255)
email_change_sent_at timestamp with time zone
last_sign_in_at timestamp with time zone
raw_app_meta_data jsonb
raw_user_meta_data jsonb
is_super_admin boolean
created_at timestamp with time zone
updated_at timestamp with time zone
phone text default NULL::character varying
phone_confirmed_at timestamp with time zone
phone_change text default ''::character varying
phone_change_token character varying(255) default ''::character varying
phone_change_sent_at timestamp with time zone
confirmed_at timestamp with time zone generated LEAST(email_confirmed_at, phone_confirmed_at)
email_change_token_current character varying(255) default ''::character varying
email_change_confirm_status smallint default 0
banned_until timestamp with time zone
reauthentication_token character varying(255) default ''::character varying
reauthentication_sent_at timestamp with time zone
is_sso_user boolean not null default false
deleted_at timestamp with time zone
is_anonymous boolean not null default false)";

const char* kAuthIdentities = R"(provider_id text not null
user_id uuid not null
identity_data jsonb not null
provider text not null
last_sign_in_at timestamp with time zone
created_at timestamp with time zone
updated_at timestamp with time zone
email text generated lower((identity_data ->> 'email'::text))
id uuid not null default gen_random_uuid())";

const char* kStorageObjects = R"(id uuid not null default gen_random_uuid()
bucket_id text
name text
owner uuid
created_at timestamp with time zone default now()
updated_at timestamp with time zone default now()
last_accessed_at timestamp with time zone default now()
metadata jsonb
path_tokens text[] generated string_to_array(name, '/'::text)
version text
owner_id text
user_metadata jsonb
archived_at timestamp with time zone
is_delete_marker boolean not null default false
is_versioned boolean not null default false)";

const char* kStorageBuckets = R"(id text not null
name text not null
owner uuid
created_at timestamp with time zone default now()
updated_at timestamp with time zone default now()
public boolean default false
avif_autodetection boolean default false
file_size_limit bigint
allowed_mime_types text[]
owner_id text
type storage.buckettype not null default 'STANDARD'::storage.buckettype
versioning_status text not null default 'DISABLED'::text)";

// Columns of `table` in order: name, type, NOT NULL, default or generation expression.
std::string columns_of(const Project& p, const std::string& table) {
  return p.value(
      "select string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)"
      " || case when a.attnotnull then ' not null' else '' end"
      " || case when a.attgenerated = 's' then ' generated ' || pg_get_expr(d.adbin, d.adrelid)"
      "         when d.adbin is not null then ' default ' || pg_get_expr(d.adbin, d.adrelid) else '' end,"
      " E'\\n' order by a.attnum)"
      " from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum"
      " where a.attrelid = '" + table + "'::regclass and a.attnum > 0 and not a.attisdropped");
}

// A statement that fails the migration (and so the run) unless `condition` holds.
std::string expect(const std::string& condition) {
  std::string quoted;
  for (char c : condition) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return "do $expect$ begin if not coalesce((" + condition + "), false) then raise exception 'expected: %', '" +
         quoted + "'; end if; end $expect$;\n";
}

const char* kAlice = "11111111-1111-1111-1111-111111111111";

// What real projects' migrations and seeds do with auth and storage, then checks, as SQL that fails
// the run when a check does not hold: the same files prove the shim and --ephemeral.
void supabase_project(const Project& p) {
  p.migration("20240101000000_profiles.sql",
              "create table public.profiles (id uuid primary key references auth.users (id) on delete cascade,\n"
              "  username text);\n"
              "alter table public.profiles enable row level security;\n"
              "create policy \"own profile\" on public.profiles for select to authenticated using (id = auth.uid());\n"
              "create function public.handle_new_user() returns trigger language plpgsql security definer\n"
              "  set search_path = '' as $$\n"
              "begin\n"
              "  insert into public.profiles (id, username) values (new.id, new.raw_user_meta_data ->> 'username');\n"
              "  return new;\n"
              "end $$;\n"
              "create trigger on_auth_user_created after insert on auth.users\n"
              "  for each row execute function public.handle_new_user();\n");
  p.migration("20240102000000_avatars.sql",
              "insert into storage.buckets (id, name, public) values ('avatars', 'avatars', false);\n"
              "create policy \"own folder\" on storage.objects for insert to authenticated\n"
              "  with check (bucket_id = 'avatars' and (storage.foldername(name))[1] = (select auth.uid())::text);\n");
  // As GoTrue writes a user, and as seeds copy it: crypt()/gen_salt() unqualified.
  p.migration("20240103000000_seed_user.sql",
              std::string("insert into auth.users (instance_id, id, aud, role, email, encrypted_password,\n"
                          "  email_confirmed_at, raw_app_meta_data, raw_user_meta_data, is_super_admin,\n"
                          "  created_at, updated_at, confirmation_token, recovery_token, email_change_token_new,\n"
                          "  email_change)\n"
                          "values ('00000000-0000-0000-0000-000000000000', '") +
                  kAlice +
                  "', 'authenticated', 'authenticated',\n"
                  "  'alice@example.com', crypt('pw', gen_salt('bf')), now(),\n"
                  "  '{\"provider\": \"email\", \"providers\": [\"email\"]}', '{\"username\": \"alice\"}', false,\n"
                  "  now(), now(), '', '', '', '');\n"
                  "insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at,\n"
                  "  created_at, updated_at)\n"
                  "values ('" +
                  kAlice + "', '" + kAlice + "', '{\"sub\": \"" + kAlice +
                  "\", \"email\": \"Alice@Example.com\"}', 'email', now(), now(), now());\n");
  const std::string claims = std::string("{\"sub\": \"") + kAlice +
                             "\", \"role\": \"authenticated\", \"email\": \"alice@example.com\"}";
  p.migration(
      "20240104000000_checks.sql",
      expect("select encrypted_password = crypt('pw', encrypted_password) from auth.users where id = '" +
             std::string(kAlice) + "'") +
          expect("select confirmed_at is not null and not is_anonymous and not is_sso_user from auth.users") +
          expect("select email = 'alice@example.com' from auth.identities") +
          expect("select username = 'alice' from public.profiles") +
          expect("select has_table_privilege('anon', 'public.profiles', 'SELECT, INSERT, UPDATE, DELETE')") +
          expect("select has_table_privilege('authenticated', 'public.profiles', 'SELECT, INSERT, UPDATE, DELETE')") +
          expect("select has_table_privilege('service_role', 'public.profiles', 'SELECT, INSERT, UPDATE, DELETE')") +
          expect("select has_function_privilege('anon', 'public.handle_new_user()', 'EXECUTE')") +
          expect("select current_setting('search_path') = '\"$user\", public, extensions'") +
          "select set_config('request.jwt.claims', '" + claims + "', true);\n" +
          expect("select auth.uid() = '" + std::string(kAlice) + "'") +
          expect("select auth.role() = 'authenticated' and auth.email() = 'alice@example.com'") +
          expect("select auth.jwt() ->> 'sub' = '" + std::string(kAlice) + "'") +
          "set local role authenticated;\n"
          "insert into storage.objects (bucket_id, name) values ('avatars', '" +
          kAlice + "/me.png');\n" +
          expect("select count(*) = 1 from public.profiles") +
          "reset role;\n"
          "select set_config('request.jwt.claims', '', true);\n");
}

// Runs migsafe with `args`, failing the test with migsafe's stderr shown if it does not exit 0.
void run_ok(const Project& p, const std::vector<std::string>& args) {
  auto r = p.migsafe(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

}  // namespace

TEST_CASE("the shim's auth and storage tables have the columns Supabase's migrations leave", "[shim][supabase]") {
  Project p("shim_columns");
  CHECK(columns_of(p, "auth.users") == kAuthUsers);
  CHECK(columns_of(p, "auth.identities") == kAuthIdentities);
  CHECK(columns_of(p, "storage.objects") == kStorageObjects);
  CHECK(columns_of(p, "storage.buckets") == kStorageBuckets);
}

TEST_CASE("the shim's roles have Supabase's attributes and none can log in", "[shim][supabase]") {
  Project p("shim_roles");
  // rolname, inherit, bypassrls, createrole, createdb, replication (supabase/postgres, 2024).
  CHECK(p.value("select string_agg(rolname || ' ' || rolinherit || rolbypassrls || rolcreaterole || rolcreatedb"
                " || rolreplication || rolcanlogin, ', ' order by rolname) from pg_roles where rolname in ("
                "'anon', 'authenticated', 'service_role', 'authenticator', 'supabase_admin', 'supabase_auth_admin',"
                "'supabase_storage_admin', 'dashboard_user', 'pgbouncer', 'supabase_realtime_admin')") ==
        "anon truefalsefalsefalsefalsefalse, authenticated truefalsefalsefalsefalsefalse, "
        "authenticator falsefalsefalsefalsefalsefalse, dashboard_user truefalsetruetruetruefalse, "
        "pgbouncer truefalsefalsefalsefalsefalse, service_role truetruefalsefalsefalsefalse, "
        "supabase_admin truetruetruetruetruefalse, supabase_auth_admin falsefalsetruefalsefalsefalse, "
        "supabase_realtime_admin falsefalsefalsefalsefalsefalse, "
        "supabase_storage_admin falsefalsetruefalsefalsefalse");
  CHECK(p.value("select pg_has_role('authenticator', 'service_role', 'MEMBER')") == "t");
  CHECK(p.value("select pg_has_role('supabase_storage_admin', 'authenticator', 'MEMBER')") == "t");
  CHECK(p.value("select pg_has_role(current_user, 'supabase_auth_admin', 'MEMBER')") == "t");
}

TEST_CASE("the shim gives a new project's extensions in `extensions` and puts it on the search_path",
          "[shim][supabase]") {
  Project p("shim_extensions");
  CHECK(p.value("select string_agg(extname || '@' || extnamespace::regnamespace, ' ' order by extname)"
                " from pg_extension where extname <> 'plpgsql'") ==
        "pg_stat_statements@extensions pgcrypto@extensions uuid-ossp@extensions");
  CHECK(p.value("show search_path") == "\"$user\", public, extensions");
  CHECK(p.value("select crypt('pw', gen_salt('bf')) like '$2a$%'") == "t");
  CHECK(p.value("select uuid_generate_v4() is not null") == "t");
}

TEST_CASE("a plain database with the shim runs migrations that use auth, storage and default privileges",
          "[shim][supabase]") {
  Project p("shim_project");
  p.pipeline();
  supabase_project(p);
  run_ok(p, {"run", "{pipeline}", "--db", "{db}"});
  // Checked again from outside migsafe.
  CHECK(p.value("select has_table_privilege('anon', 'public.profiles', 'SELECT')") == "t");
  CHECK(p.value("select has_table_privilege('authenticated', 'public.profiles', 'INSERT')") == "t");
  CHECK(p.value("select count(*) from storage.objects where owner is null and name like '" + std::string(kAlice) +
                "/%'") == "1");
  // Objects outside `public` get no grant by default, as on Supabase.
  p.session()->exec("create schema private; create table private.secrets (x int)");
  CHECK(p.value("select has_table_privilege('anon', 'private.secrets', 'SELECT')") == "f");
}

TEST_CASE("auth.uid() reads the claims PostgREST sets, old style and new", "[shim][supabase]") {
  Project p("shim_claims");
  auto s = p.session();
  s->exec("select set_config('request.jwt.claims', '{\"sub\": \"" + std::string(kAlice) + "\"}', false)");
  CHECK(s->query("select auth.uid()").scalar() == kAlice);
  s->exec("select set_config('request.jwt.claims', '', false)");
  CHECK(s->query("select auth.uid() is null").scalar() == "t");
  s->exec("select set_config('request.jwt.claim.sub', '" + std::string(kAlice) + "', false)");
  CHECK(s->query("select auth.uid()").scalar() == kAlice);
}

TEST_CASE("a storage policy on storage.foldername(name) lets users write only their own folder",
          "[shim][supabase]") {
  Project p("shim_storage_policy");
  p.pipeline();
  supabase_project(p);
  run_ok(p, {"run", "{pipeline}", "--db", "{db}"});
  auto s = p.session();
  s->exec("begin");
  s->exec("select set_config('request.jwt.claims', '{\"sub\": \"" + std::string(kAlice) + "\"}', true)");
  s->exec("set local role authenticated");
  CHECK_FALSE(s->try_exec("insert into storage.objects (bucket_id, name) values ('avatars', '" + std::string(kAlice) +
                          "/second.png')"));
  auto denied = s->try_exec("insert into storage.objects (bucket_id, name) values ('avatars', 'someone-else/x.png')");
  REQUIRE(denied);
  CHECK(denied->sqlstate == "42501");
  s->exec("rollback");
}

TEST_CASE("supabase-shim installs again over itself without losing rows", "[shim][supabase]") {
  Project p("shim_twice");
  p.session()->exec(std::string("insert into auth.users (id, email) values ('") + kAlice + "', 'a@example.com')");
  const std::string before = columns_of(p, "auth.users");
  run_ok(p, {"supabase-shim", "--db", "{db}", "--quiet"});
  CHECK(columns_of(p, "auth.users") == before);
  CHECK(p.value("select count(*) from auth.users") == "1");
  CHECK(p.value("select count(*) from pg_class where relnamespace = 'auth'::regnamespace and relkind = 'S'") == "1");
}

TEST_CASE("a migration creating an extension Debian lacks fails at its line, naming where it comes from",
          "[shim][supabase]") {
  Project p("shim_vector");
  p.pipeline();
  p.migration("20240101000000_items.sql", "create table public.items (id int);\n");
  p.migration("20240102000000_embeddings.sql",
              "-- embeddings for search\n"
              "alter table public.items add column title text;\n"
              "create extension if not exists vector with schema extensions;\n"
              "alter table public.items add column embedding extensions.vector(3);\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("20240102000000_embeddings.sql:3:") != std::string::npos);
  CHECK(r.err.find("postgresql-15-pgvector") != std::string::npos);
  CHECK(r.err.find("PostgreSQL project's own apt repository") != std::string::npos);
  auto report = r.json();
  const auto& error = report["migrations"][1]["error"];
  CHECK(error["line"] == 3);
  CHECK(error["hint"].get<std::string>().find("extension vector") != std::string::npos);
  CHECK(p.value("select to_regclass('public.items') is null") == "t");
}

TEST_CASE("an extension only Supabase has is named as such", "[shim][supabase]") {
  Project p("shim_pg_net");
  p.pipeline();
  p.migration("20240101000000_hooks.sql", "create extension if not exists pg_net with schema extensions;\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("20240101000000_hooks.sql:1:") != std::string::npos);
  CHECK(r.err.find("pg_net comes with Supabase only") != std::string::npos);
}

TEST_CASE("--ephemeral runs migrations that use auth, storage, default privileges and pg_cron",
          "[run][ephemeral][supabase]") {
  Project p("ephemeral_project_unused", false);
  p.pipeline();
  supabase_project(p);
  p.migration("20240105000000_cron.sql",
              "create extension if not exists pg_cron with schema pg_catalog;\n"
              "select cron.schedule('nightly-cleanup', '0 3 * * *', $$delete from public.profiles where false$$);\n" +
                  expect("select count(*) = 1 from cron.job where jobname = 'nightly-cleanup'"));
  run_ok(p, {"run", "{pipeline}", "--ephemeral"});
}

TEST_CASE("--ephemeral fails a migration that creates pgvector at its line with the hint",
          "[run][ephemeral][supabase]") {
  Project p("ephemeral_vector_unused", false);
  p.pipeline();
  p.migration("20240101000000_embeddings.sql", "create table public.items (id int);\ncreate extension vector;\n");
  auto r = p.migsafe({"run", "{pipeline}", "--ephemeral"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("20240101000000_embeddings.sql:2:") != std::string::npos);
  CHECK(r.err.find("postgresql-15-pgvector") != std::string::npos);
}

TEST_CASE("the checks the project runs can fail: a false expectation fails the run", "[shim][supabase]") {
  Project p("shim_expect_control");
  p.pipeline();
  p.migration("20240101000000_t.sql", "create table public.t (x int);\nrevoke all on public.t from anon;\n" +
                                          expect("select has_table_privilege('anon', 'public.t', 'SELECT')"));
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("expected: select has_table_privilege") != std::string::npos);
}
