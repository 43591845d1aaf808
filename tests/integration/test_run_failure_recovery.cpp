// A failing run returns the database to its pre-run state: by rollback when nothing was committed,
// by pg_restore of this run's backup when something was, and proves it by fingerprint.
#include <catch2/catch.hpp>

#include "harness.hpp"

using migsafe::test::Project;
using migsafe::test::differences;

namespace {

void base_schema(const Project& p) {
  p.migration("20240101000000_base.sql",
              "create table public.accounts (id int primary key, owner text not null, balance int not null);\n"
              "insert into public.accounts select g, 'user' || g, g * 10 from generate_series(1, 50) g;\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}"});
  REQUIRE(r.exit_code == 0);
}

// Third migration fails on line 7 (a reference to a table that does not exist).
const char* kFailsOnLine7 =
    "-- adds a ledger\n"
    "create table public.ledger (\n"
    "  id int primary key,\n"
    "  amount int not null\n"
    ");\n"
    "\n"
    "insert into public.no_such_table values (1);\n";

}  // namespace

TEST_CASE("atomic run: an error on line 7 of the third migration rolls everything back", "[run][failure]") {
  Project p("atomic_failure");
  p.pipeline();
  base_schema(p);
  const auto pre_run = p.snapshot();
  
  p.migration("20240102000000_add_column.sql", "alter table public.accounts add column note text;\n");
  p.migration("20240103000000_add_index.sql", "create index accounts_owner_idx on public.accounts (owner);\n");
  p.migration("20240104000000_ledger.sql", kFailsOnLine7);
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 1);

  auto report = r.json();
  CHECK(report["status"] == "failed_restored");
  CHECK(report["restore"]["method"] == "rollback");
  CHECK(report["restore"]["verified"] == true);
  CHECK(report["restore"]["fingerprint_before"] == report["restore"]["fingerprint_after"]);
  auto failed = report["migrations"][2];
  CHECK(failed["status"] == "failed");
  CHECK(failed["error"]["sqlstate"] == "42P01");
  CHECK(failed["error"]["line"] == 7);
  CHECK(failed["error"]["column"] == 13);
  CHECK(failed["error"]["file"].get<std::string>().find("20240104000000_ledger.sql") != std::string::npos);
  CHECK(report["migrations"][0]["status"] == "rolled_back");
  CHECK(r.err.find("20240104000000_ledger.sql:7:13") != std::string::npos);

  CHECK(differences(pre_run, p.snapshot()) == "");
  CHECK(p.value("select count(*) from supabase_migrations.schema_migrations") == "1");
  CHECK(p.value("select count(*) from migsafe.migrations") == "1");
  CHECK(p.value("select status from migsafe.runs order by started_at desc limit 1") == "failed_restored");
}

TEST_CASE("per-migration run: a failure after committed changes is restored from the backup", "[run][failure]") {
  Project p("per_migration_failure");
  p.pipeline();
  base_schema(p);
  // A trigger on a table outside the owned schema that calls an owned function: dropping the
  // owned schema's contents takes it along, so the restore must bring it back.
  p.session()->exec(
      "create function public.on_new_user() returns trigger language plpgsql as $$ begin return new; end $$;\n"
      "create trigger on_auth_user_created after insert on auth.users for each row execute function public.on_new_user();");
  const auto pre_run = p.snapshot();
  
  p.pipeline(migsafe::test::pipeline_body_with("dir = \"migrations\"", "dir = \"migrations\"\nmode = \"per-migration\""));
  p.migration("20240102000000_changes.sql",
              "create table public.audit (id int primary key, note text);\n"
              "create view public.rich_accounts as select id, owner from public.accounts where balance > 100;\n"
              "update public.accounts set balance = balance + 1;\n"
              "delete from public.accounts where id > 45;\n");
  p.migration("20240103000000_broken.sql", "alter table public.accounts add column x int;\nselect 1/0;\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 1);
  auto report = r.json();
  CHECK(report["status"] == "failed_restored");
  CHECK(report["restore"]["method"] == "pg_restore");
  CHECK(report["restore"]["verified"] == true);
  CHECK(report["migrations"][0]["status"] == "restored");
  CHECK(report["migrations"][1]["error"]["sqlstate"] == "22012");
  CHECK(report["migrations"][1]["error"]["line"] == 2);

  CHECK(differences(pre_run, p.snapshot()) == "");
  CHECK(p.value("select to_regclass('public.audit') is null") == "t");
  CHECK(p.value("select to_regclass('public.rich_accounts') is null") == "t");
  CHECK(p.value("select count(*) from pg_trigger where tgname = 'on_auth_user_created'") == "1");
  CHECK(p.value("select string_agg(version, ',') from supabase_migrations.schema_migrations") == "20240101000000");
  CHECK(p.value("select string_agg(version, ',') from migsafe.migrations") == "20240101000000");
}

TEST_CASE("a statement that cannot run in a transaction switches the run to per-migration mode", "[run][mode]") {
  Project p("non_transactional");
  p.pipeline();
  base_schema(p);
  p.migration("20240102000000_concurrent_index.sql",
              "create index concurrently accounts_owner_idx on public.accounts (owner);\n");
  auto plan = p.migsafe({"plan", "{pipeline}", "--db", "{db}", "--json"});
  REQUIRE(plan.exit_code == 0);
  CHECK(plan.json()["mode"] == "per-migration");
  CHECK(plan.json()["migrations"][0]["non_transactional"].size() == 1);

  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.json()["mode"] == "per-migration");
  CHECK(p.value("select count(*) from pg_indexes where indexname = 'accounts_owner_idx'") == "1");
}
