// A restore after a failed per-migration run returns the WHOLE database to its pre-run state, not
// only the owned schemas: what depends on them from outside keeps its definition and data, and what
// the run did outside them is undone. Judged by pg_dump and a data hash of every schema
// (harness `snapshot`), never by migsafe's own fingerprint.
#include <catch2/catch.hpp>

#include "harness.hpp"

using migsafe::test::differences;
using migsafe::test::Project;

namespace {

void per_migration(const Project& p) {
  p.pipeline(migsafe::test::pipeline_body_with("dir = \"migrations\"", "dir = \"migrations\"\nmode = \"per-migration\""));
}

// Runs the pending migrations, expecting the last one to fail and everything to come back.
nlohmann::json fail_and_restore(const Project& p) {
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 1);
  auto report = r.json();
  CHECK(report["status"] == "failed_restored");
  CHECK(report["restore"]["method"] == "pg_restore");
  CHECK(report["restore"]["verified"] == true);
  return report;
}

// Applies `base` (per-migration, must succeed), then `change` followed by a failing migration:
// the run must be restored (exit 1) to exactly the state after `base`, judged by pg_dump and a
// per-table hash. Returns that state.
migsafe::test::Snapshot base_then_failed_change(const Project& p, const std::string& base, const std::string& change) {
  per_migration(p);
  p.migration("20240101000000_base.sql", base);
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  auto pre_run = p.snapshot();
  p.migration("20240102000000_change.sql", change);
  p.migration("20240103000000_fails.sql", "select 1/0;\n");
  fail_and_restore(p);
  CHECK(differences(pre_run, p.snapshot()) == "");
  return pre_run;
}

}  // namespace

TEST_CASE("extensions in public and an owned enum used by another schema survive a restore, data and all",
          "[restore][boundary]") {
  Project p("restore_extensions_enum", false);  // plain PostgreSQL: extensions go in public
  per_migration(p);
  p.migration("20240101000000_base.sql", R"SQL(
create extension citext;
create extension "uuid-ossp";
create extension pgcrypto;
create type public.plan_tier as enum ('free', 'pro', 'team');
create table public.users (
  id uuid primary key default uuid_generate_v4(),
  email citext not null unique,
  secret text not null default encode(gen_random_bytes(8), 'hex')
);
insert into public.users (email) select 'user' || g || '@example.com' from generate_series(1, 20) g;
create function public.tier_rank(t public.plan_tier) returns int language sql immutable as $$ select array_position(enum_range(null::public.plan_tier), t) $$;
create schema billing;
create table billing.subscriptions (
  id int primary key,
  user_id uuid not null references public.users (id),
  tier public.plan_tier not null default 'free',
  contact citext,
  rank int generated always as (id * 2) stored
);
insert into billing.subscriptions (id, user_id, tier, contact)
  select row_number() over (), id, (array['free', 'pro', 'team']::public.plan_tier[])[1 + (row_number() over ()) % 3], email from public.users;
create view billing.paying as select s.id, u.email, s.tier from billing.subscriptions s join public.users u on u.id = s.user_id where public.tier_rank(s.tier) > 1;
create index subscriptions_rank on billing.subscriptions (public.tier_rank(tier));
comment on column billing.subscriptions.tier is 'the plan';
)SQL");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  const auto pre_run = p.snapshot();

  p.migration("20240102000000_commits.sql",
              "alter type public.plan_tier add value 'enterprise';\n"
              "alter table public.users add column nickname citext;\n"
              "update public.users set email = upper(email::text) where email like 'user1%';\n");
  p.migration("20240103000000_more.sql", "create table public.audit (id uuid default gen_random_uuid(), at timestamptz);\n");
  p.migration("20240104000000_fails.sql", "select 1/0;\n");
  auto report = fail_and_restore(p);

  CHECK(differences(pre_run, p.snapshot()) == "");
  CHECK(p.value("select count(*) from billing.subscriptions where tier = 'team'") == "7");
  CHECK(p.value("select count(*) from pg_extension where extname in ('citext', 'uuid-ossp', 'pgcrypto')") == "3");
  CHECK(report["restore"]["outside"].dump().find("billing.subscriptions") != std::string::npos);
}

TEST_CASE("a failed run's auth.users trigger, storage bucket and storage.objects policies are all undone",
          "[restore][boundary][supabase]") {
  Project p("restore_supabase_outside");
  per_migration(p);
  p.migration("20240101000000_profiles.sql", R"SQL(
create table public.profiles (id uuid primary key references auth.users (id), name text);
insert into storage.buckets (id, name) values ('documents', 'documents');
insert into auth.users (id, email) values ('00000000-0000-0000-0000-000000000001', 'a@example.com');
)SQL");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  const auto pre_run = p.snapshot();

  p.migration("20240102000000_signup_and_storage.sql", R"SQL(
create function public.handle_new_user() returns trigger language plpgsql security definer set search_path = '' as $$
begin
  insert into public.profiles (id, name) values (new.id, new.email);
  return new;
end $$;
create trigger on_auth_user_created after insert on auth.users for each row execute function public.handle_new_user();
insert into storage.buckets (id, name, public) values ('avatars', 'avatars', true);
update storage.buckets set file_size_limit = 1024 where id = 'documents';
create policy "Avatar images are publicly accessible" on storage.objects for select to anon using (bucket_id = 'avatars');
create policy "Anyone can upload an avatar" on storage.objects for insert to authenticated
  with check (bucket_id = 'avatars' and (storage.foldername(name))[1] = auth.uid()::text);
grant select on auth.users to anon;
)SQL");
  p.migration("20240103000000_fails.sql", "alter table public.profiles add column x int;\nselect 1/0;\n");
  auto report = fail_and_restore(p);

  // Judged on public, auth and storage together (and every other schema).
  CHECK(differences(pre_run, p.snapshot()) == "");
  CHECK(p.value("select count(*) from pg_trigger where tgname = 'on_auth_user_created'") == "0");
  CHECK(p.value("select string_agg(id, ',' order by id) from storage.buckets") == "documents");
  CHECK(p.value("select file_size_limit is null from storage.buckets where id = 'documents'") == "t");
  CHECK(p.value("select count(*) from pg_policies where schemaname = 'storage'") == "0");
  CHECK(p.value("select has_table_privilege('anon', 'auth.users', 'select')") == "f");
  CHECK(report["restore"]["outside"].size() >= 4);
}

TEST_CASE("a change outside the owned schemas that a restore cannot undo is exit 3, named", "[restore][boundary]") {
  Project p("restore_outside_leftover");
  per_migration(p);
  p.migration("20240101000000_base.sql", "create table public.t (id int);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  p.migration("20240102000000_outside.sql", "insert into public.t values (1);\ncomment on schema storage is 'changed by the run';\n");
  p.migration("20240103000000_fails.sql", "select 1/0;\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  CHECK(r.exit_code == 3);
  auto report = r.json();
  CHECK(report["status"] == "failed_unrestored");
  CHECK(report["restore"]["verified"] == false);
  CHECK(report["restore"]["differences"].dump().find("schema storage") != std::string::npos);
  // The owned schema came back all the same.
  CHECK(p.value("select count(*) from public.t") == "0");
}

TEST_CASE("a failed run that changed an owned schema's owner, comment and grants is restored, exit 1",
          "[restore][boundary]") {
  Project p("restore_schema_attributes", false);
  p.query("create role app_reader nologin");
  // As `supabase db pull` writes it at the top of a remote schema dump.
  base_then_failed_change(p, "create table public.t (id int);\ninsert into public.t values (1);\n",
                          "alter schema public owner to postgres;\n"
                          "comment on schema public is 'pulled from the dashboard';\n"
                          "grant usage on schema public to app_reader;\n"
                          "alter default privileges in schema public grant select on tables to app_reader;\n");
}

TEST_CASE("a project whose history gave public another owner restores a failed run, exit 1", "[restore][boundary]") {
  Project p("restore_public_owner", false);
  p.query("create role pulled_reader nologin");
  base_then_failed_change(p,
                          "alter schema public owner to postgres;\n"
                          "comment on schema public is 'pulled';\n"
                          "grant usage on schema public to pulled_reader;\n"
                          "create table public.t (id int);\ninsert into public.t values (1);\n",
                          "create table public.u (id int);\nrevoke usage on schema public from pulled_reader;\n");
}

TEST_CASE("a table whose grants were revoked against public's default privileges comes back with its own grants",
          "[restore][boundary][supabase]") {
  Project p("restore_revoked_grants");  // Supabase: public's default privileges grant to anon
  const auto pre_run = base_then_failed_change(p,
                                               "create table public.secrets (id int primary key, value text);\n"
                                               "insert into public.secrets values (1, 'k');\n"
                                               "revoke all on public.secrets from anon, authenticated;\n",
                                               "create table public.notes (id int);\n");
  CHECK(p.value("select has_table_privilege('anon', 'public.secrets', 'select')") == "f");

  const std::string backup_id = p.value("select backup_id from migsafe.runs order by started_at desc limit 1");
  auto restored = p.migsafe({"backup", "restore", "{pipeline}", "--db", "{db}", "--id", backup_id, "--yes"});
  INFO(restored.err);
  CHECK(restored.exit_code == 0);
  CHECK(differences(pre_run, p.snapshot()) == "");
}
