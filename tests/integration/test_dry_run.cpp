// `run --dry-run` goes through the whole pipeline in one transaction and rolls it back, even on success.
#include <catch2/catch.hpp>

#include "harness.hpp"

using migsafe::test::Project;
using migsafe::test::differences;

namespace {

std::string history(const Project& p) {
  return p.value("select coalesce(string_agg(version, ',' order by version), '') from supabase_migrations.schema_migrations") +
         "|" + p.value("select coalesce(string_agg(version, ',' order by version), '') from migsafe.migrations") + "|" +
         p.value("select count(*) from migsafe.runs");
}

void applied_base(const Project& p) {
  p.pipeline();
  p.migration("20240101000000_base.sql", "create table public.items (id int primary key, name text);\n"
                                         "insert into public.items values (1, 'a'), (2, 'b');\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
}

}  // namespace

TEST_CASE("a dry run reports what would run and leaves fingerprint and history unchanged", "[dry-run]") {
  Project p("dry_run");
  applied_base(p);
  p.migration("20240102000000_more.sql", "alter table public.items add column price int;\n"
                                         "create index concurrently items_name_idx on public.items (name);\n"
                                         "update public.items set price = 1;\n");
  const auto pre_run = p.snapshot();
    const std::string before = history(p);

  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--dry-run", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto report = r.json();
  CHECK(report["status"] == "dry_run");
  CHECK(report["dry_run"] == true);
  CHECK(report["mode"] == "atomic");
  CHECK(report["migrations"][0]["status"] == "would_apply");
  CHECK(report["migrations"][0]["would_run_outside_transaction"].size() == 1);
  CHECK(report["restore"]["verified"] == true);
  CHECK(report["backup"]["status"] == "verified");

  CHECK(differences(pre_run, p.snapshot()) == "");
  CHECK(history(p) == before);
  CHECK(p.value("select count(*) from pg_indexes where indexname = 'items_name_idx'") == "0");
  size_t manifests = 0;
  for (auto& e : std::filesystem::directory_iterator(p.dir() / "backups")) manifests += e.path().extension() == ".json";
  CHECK(manifests == 1);  // only the real run's; the dry run's backup went to a removed temporary directory
}

TEST_CASE("a dry run whose migration fails exits 1 and changes nothing", "[dry-run]") {
  Project p("dry_run_failure");
  applied_base(p);
  p.migration("20240102000000_bad.sql", "alter table public.items add column x int;\nselect 1/0;\n");
  const auto pre_run = p.snapshot();
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--dry-run", "--no-backup", "--json"});
  CHECK(r.exit_code == 1);
  CHECK(r.json()["status"] == "failed_restored");
  CHECK(r.json()["backup"].is_null());
  CHECK(r.json()["migrations"][0]["error"]["line"] == 2);
  CHECK(differences(pre_run, p.snapshot()) == "");
}

TEST_CASE("--no-backup is refused outside a dry run", "[dry-run]") {
  Project p("no_backup_refused");
  applied_base(p);
  p.migration("20240102000000_more.sql", "select 1;\n");
  CHECK(p.migsafe({"run", "{pipeline}", "--db", "{db}", "--no-backup"}).exit_code == 2);
}
